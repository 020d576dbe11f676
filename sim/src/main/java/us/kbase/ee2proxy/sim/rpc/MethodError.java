package us.kbase.ee2proxy.sim.rpc;

/**
 * A Python exception raised inside an EE2 method. EE2 turns it into code -32000 with the
 * exception's message as a plain string in {@code message} and the traceback as {@code error}.
 */
public final class MethodError extends Exception {
    private final String pythonType;

    public MethodError(String pythonType, String message) {
        super(message, null, false, false);
        this.pythonType = pythonType;
    }

    public static MethodError notFound(String jobId) {
        return new MethodError("RecordNotFoundException", "Cannot find job with ids: ['" + jobId + "']");
    }

    public static MethodError incorrectParams(String message) {
        return new MethodError("IncorrectParamsException", message);
    }

    public static MethodError permission(String message) {
        return new MethodError("PermissionError", message);
    }

    public static MethodError statusTransition(String message) {
        return new MethodError("InvalidStatusTransitionException", message);
    }

    public String pythonType() {
        return pythonType;
    }
}
