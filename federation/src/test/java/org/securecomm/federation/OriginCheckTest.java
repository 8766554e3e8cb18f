package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.securecomm.protocol.federation.v1.Rejection;

class OriginCheckTest {

    @Test
    void acceptsAddressesOfTheOrigin() throws FederationRejection {
        assertEquals("alice", OriginCheck.requireOfOrigin("alice@a.example", "a.example").username());
        assertEquals("alice", OriginCheck.requireOfOrigin("Alice@A.example", "a.example").username());
    }

    @Test
    void refusesAddressesOfAnotherDomain() {
        FederationRejection rejection = assertThrows(FederationRejection.class, () -> OriginCheck.requireOfOrigin("alice@b.example", "a.example"));
        assertEquals(Rejection.SENDER_NOT_OF_ORIGIN, rejection.rejection());
        assertEquals(400, rejection.httpStatus());
        assertEquals(Rejection.SENDER_NOT_OF_ORIGIN,
                assertThrows(FederationRejection.class, () -> OriginCheck.requireOfOrigin("alice@a.example.evil", "a.example")).rejection());
    }

    @Test
    void refusesMalformedAddresses() {
        assertEquals(Rejection.MALFORMED_REQUEST, assertThrows(FederationRejection.class, () -> OriginCheck.requireOfOrigin("alice", "a.example")).rejection());
        assertEquals(Rejection.MALFORMED_REQUEST, assertThrows(FederationRejection.class, () -> OriginCheck.requireOfOrigin("@a.example", "a.example")).rejection());
        assertEquals(Rejection.MALFORMED_REQUEST, assertThrows(FederationRejection.class, () -> OriginCheck.requireOfOrigin("", "a.example")).rejection());
    }
}
