package us.kbase.ee2proxy.sim.pyjson;

/**
 * A body Python's {@code json.loads} would refuse. The message is exactly {@code str(ValueError)}
 * as EE2 puts it into its -32700 reply, e.g. "Expecting value: line 1 column 1 (char 0)".
 */
public final class PyJsonError extends Exception {
    public PyJsonError(String message) {
        super(message, null, false, false);
    }
}
