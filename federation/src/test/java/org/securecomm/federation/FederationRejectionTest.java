package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.Rejection;

class FederationRejectionTest {

    @Test
    void everyRejectionHasItsDocumentedStatus() {
        Map<Rejection, Integer> expected = Map.ofEntries(
                Map.entry(Rejection.MALFORMED_REQUEST, 400), Map.entry(Rejection.SENDER_NOT_OF_ORIGIN, 400),
                Map.entry(Rejection.BAD_SIGNATURE, 401), Map.entry(Rejection.UNKNOWN_KEY, 401),
                Map.entry(Rejection.EXPIRED_KEY, 401), Map.entry(Rejection.CLOCK_SKEW, 401),
                Map.entry(Rejection.PEER_NOT_ALLOWED, 403), Map.entry(Rejection.WRONG_DESTINATION, 403),
                Map.entry(Rejection.REPLAYED, 409), Map.entry(Rejection.TOO_LARGE, 413),
                Map.entry(Rejection.RATE_LIMITED, 429), Map.entry(Rejection.ORIGIN_UNREACHABLE, 502),
                Map.entry(Rejection.APPLICATION_ERROR, 200), Map.entry(Rejection.REJECTION_UNSPECIFIED, 500));
        for (Rejection rejection : Rejection.values()) {
            if (rejection != Rejection.UNRECOGNIZED) {
                assertEquals(expected.get(rejection), FederationRejection.httpStatus(rejection), rejection.name());
            }
        }
    }

    @Test
    void errorCarriesRejectionMessageAndRetryAfter() {
        FederationError error = new FederationRejection(Rejection.RATE_LIMITED, "slow down", 7).toError();
        assertEquals(Rejection.RATE_LIMITED, error.getRejection());
        assertEquals("slow down", error.getMessage());
        assertEquals(7, error.getRetryAfterSeconds());
    }
}
