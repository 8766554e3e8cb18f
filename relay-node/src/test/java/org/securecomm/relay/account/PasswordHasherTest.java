package org.securecomm.relay.account;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(new PasswordHasher.Parameters(1024, 1, 1));

    @Test
    void verifiesOnlyTheRightPassword() {
        String password = hasher.newPassword();
        String hash = hasher.hash(password);
        assertTrue(hash.startsWith("$argon2id$v=19$m=1024,t=1,p=1$"), hash);
        assertFalse(hash.contains(password));
        assertTrue(hasher.verify(password, hash));
        assertFalse(hasher.verify(password + "x", hash));
        assertNotEquals(hash, hasher.hash(password), "salted");
    }

    @Test
    void hashesKeepTheirParametersWhenTheDefaultsChange() {
        String password = hasher.newPassword();
        String oldHash = hasher.hash(password);
        assertTrue(new PasswordHasher(new PasswordHasher.Parameters(2048, 2, 1)).verify(password, oldHash));
    }

    @Test
    void malformedHashesNeverVerify() {
        for (String bad : new String[] {null, "", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$x=1$AA$AA",
                "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"}) {
            assertFalse(hasher.verify("password", bad), String.valueOf(bad));
        }
    }
}
