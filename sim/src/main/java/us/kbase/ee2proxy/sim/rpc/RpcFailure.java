package us.kbase.ee2proxy.sim.rpc;

/**
 * A jsonrpcbase {@code JSONRPCError} as EE2's server reports it: {@code name} is the error's
 * message attribute, {@code message} its data (often null), {@code trace} the traceback or null.
 */
final class RpcFailure extends Exception {
    final int code;
    final String name;
    final String data;
    final String trace;

    private RpcFailure(int code, String name, String data, String trace) {
        super(name, null, false, false);
        this.code = code;
        this.name = name;
        this.data = data;
        this.trace = trace;
    }

    /** EE2's own ServerError with a message and no traceback (the token checks). */
    static RpcFailure server(String data) {
        return new RpcFailure(-32000, "Server error", data, null);
    }

    /**
     * An exception inside a method: its message as a plain string, the way EE2 answers (EE2's
     * own integration tests, through its server, expect {@code ServerError(..., "Unrecognized
     * method: 'mod.meth.moke'. Please input module_name.function_name")}, no repr quotes around it).
     */
    static RpcFailure of(MethodError e, String method) {
        String trace = "Traceback (most recent call last):\n"
                + "  File \"/kb/module/lib/execution_engine2/execution_engine2Server.py\", line 101, in _call_method\n"
                + "    result = method(ctx, *params)\n"
                + "  File \"/kb/module/lib/execution_engine2/execution_engine2Impl.py\", in " + method + "\n"
                + e.pythonType() + ": " + e.getMessage() + "\n";
        return new RpcFailure(-32000, "Server error", e.getMessage(), trace);
    }

    static RpcFailure invalidRequest() {
        return new RpcFailure(-32600, "Invalid Request", null, null);
    }

    static RpcFailure methodNotFound() {
        return new RpcFailure(-32601, "Method not found", null, null);
    }

    /** jsonrpcbase's InvalidParamsError(msg): the text lands in {@code name}. */
    static RpcFailure invalidParams(String text) {
        return new RpcFailure(-32602, text, null, null);
    }
}
