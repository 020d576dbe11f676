package us.kbase.ee2proxy.frontend;

import us.kbase.ee2proxy.jsonrpc.Ee2Method;
import us.kbase.ee2proxy.jsonrpc.SniffResult;

/**
 * The metric label of a request: EE2's method name, or one of a few fixed labels. The set is
 * closed (no client-chosen text), so clients cannot multiply the metric series.
 */
final class MethodLabels {
    static final String OPTIONS = "options";
    static final String UNREADABLE = "unreadable_http";
    /** Refused before it was read whole: a method EE2 does not serve, a limit, the request deadline. */
    static final String REFUSED = "refused";
    /** The proxy's own status pages (GET /status, /status.json, DELETE /status/calls/ID). */
    static final String STATUS_PAGE = "status_page";
    static final String PARSE_ERROR = "parse_error";
    static final String NOT_A_CALL = "not_a_call";
    static final String UNKNOWN = "unknown_method";

    private MethodLabels() {}

    static String of(SniffResult sniffed) {
        if (sniffed instanceof SniffResult.Call call) {
            Ee2Method method = call.method();
            return method == Ee2Method.UNKNOWN ? UNKNOWN : method.wireName();
        }
        return sniffed instanceof SniffResult.ParseError ? PARSE_ERROR : NOT_A_CALL;
    }
}
