package org.securecomm.relay.admin;

/** A refusal of the admin API: the HTTP status and a message for the operator. */
public final class AdminException extends RuntimeException {

    private final int status;
    private final String error;

    AdminException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    static AdminException badRequest(String message) {
        return new AdminException(400, "bad_request", message);
    }

    static AdminException notFound(String message) {
        return new AdminException(404, "not_found", message);
    }

    public int status() {
        return status;
    }

    /** A stable, machine-readable word ("bad_request", "not_found"...). */
    public String error() {
        return error;
    }
}
