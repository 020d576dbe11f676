package us.kbase.ee2proxy.tracking;

/**
 * An {@link Ee2Client} call that did not return a result: EE2 answered a JSON-RPC error
 * ({@link #refused()}: no such job, no permission, ...) or did not answer usefully at all (timeout,
 * connection refused, a body that is not JSON-RPC).
 */
public final class Ee2CallException extends RuntimeException {
    private final Integer code;

    private Ee2CallException(String message, Integer code, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    static Ee2CallException refused(int code, String message) {
        return new Ee2CallException(message, code, null);
    }

    static Ee2CallException unavailable(String message, Throwable cause) {
        return new Ee2CallException(message, null, cause);
    }

    /** EE2 answered with an error object: asking again will not change the answer. */
    public boolean refused() {
        return code != null;
    }

    /** The JSON-RPC error code when {@link #refused()}, else null. */
    public Integer code() {
        return code;
    }
}
