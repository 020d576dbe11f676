package us.kbase.ee2proxy.jsonrpc;

/**
 * The members of a call that EE2 echoes in its error replies, as the raw JSON text the client
 * sent (decoded to a String, never re-serialized), each null when the member is absent.
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
     * {@code "version": <as sent>}, {@code "jsonrpc": <as sent>} or {@code "version": "1.0"}.
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
