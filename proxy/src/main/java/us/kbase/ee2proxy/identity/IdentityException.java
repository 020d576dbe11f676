package us.kbase.ee2proxy.identity;

/**
 * Why a token could not be turned into a user. The message is safe to show (never the token).
 */
public final class IdentityException extends RuntimeException {

    public enum Reason {
        /** auth2 said the token is invalid (HTTP 401, appcode 10020: expired, revoked, malformed), or none was sent. */
        INVALID_TOKEN,
        /** Anything else: auth2 unreachable, slow past the timeout, any other status, an answer we cannot read. */
        AUTH_UNAVAILABLE
    }

    private final Reason reason;

    public IdentityException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public IdentityException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
