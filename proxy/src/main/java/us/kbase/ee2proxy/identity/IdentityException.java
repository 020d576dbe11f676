package us.kbase.ee2proxy.identity;

/**
 * Why a token could not be turned into a user. The message is safe to show (never the token).
 */
public final class IdentityException extends RuntimeException {

    public enum Reason {
        /** auth2 refused the token (invalid, expired, revoked, malformed). */
        INVALID_TOKEN,
        /** auth2 unreachable, slow past the timeout, 5xx, or an answer we cannot read. */
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
