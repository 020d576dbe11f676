package us.kbase.ee2proxy.jsonrpc;

/**
 * The members of a call that EE2 echoes in its error replies, each as the JSON text EE2 writes
 * for it (Python's {@code json.dumps} of the parsed value: pure ASCII, {@code 1.50} as
 * {@code 1.5}, {@code "é"} as {@code "\u00e9"}), null when the member is absent.
 *
 * <p>EE2's {@code process_error} puts {@code "id": <id>} when present, then {@code "version":
 * <version>} when present, else {@code "jsonrpc": <jsonrpc>} (the trace then goes in
 * {@code "data"}), else {@code "version": "1.0"}. {@link #echoVersionMember()} applies that rule.
 *
 * @param idJson the {@code id} value's JSON text, e.g. {@code "\"7364829105\""} or {@code "12"}
 * @param versionJson the {@code version} value's JSON text
 * @param jsonrpcJson the {@code jsonrpc} value's JSON text
 */
public record RpcEnvelope(String idJson, String versionJson, String jsonrpcJson) {

    /**
     * The version member EE2 writes into an error reply to this call, as JSON member text:
     * {@code "version": <value>}, {@code "jsonrpc": <value>} or {@code "version": "1.0"}.
     */
    public String echoVersionMember() {
        if (versionJson != null) {
            return "\"version\": " + versionJson;
        }
        if (jsonrpcJson != null) {
            return "\"jsonrpc\": " + jsonrpcJson;
        }
        return "\"version\": \"1.0\"";
    }

    /** Whether EE2 would put the trace in {@code "data"} (a {@code jsonrpc} call) rather than {@code "error"}. */
    public boolean traceInData() {
        return versionJson == null && jsonrpcJson != null;
    }
}
