package us.kbase.ee2proxy.metrics;

import java.util.Locale;

/** Every kind of answer the proxy gives itself instead of EE2's, counted by {@code ee2proxy_errors}. */
public enum ErrorKind {
    UPSTREAM_UNREACHABLE,
    UPSTREAM_TIMEOUT,
    UPSTREAM_CLOSED,
    UPSTREAM_RESPONSE_TOO_LARGE,
    UPSTREAM_BAD_RESPONSE,
    /** Every connection to EE2 was busy and the wait list for one was full ({@code upstream.maxWaitingPerLoop}). */
    UPSTREAM_BUSY,
    /** The call waited {@code timeouts.response} for a connection to EE2 and none came free: not sent. */
    UPSTREAM_WAIT_TIMEOUT,
    BODY_TOO_LARGE,
    HEADERS_TOO_LARGE,
    MALFORMED_REQUEST,
    /** A method EE2 does not serve (anything but POST and OPTIONS): answered by the proxy, never forwarded. */
    METHOD_NOT_SERVED,
    /** An {@code Expect} header other than {@code 100-continue}. */
    EXPECTATION_NOT_SUPPORTED,
    /** More pipelined requests on one connection than {@code limits.maxPipelinedRequests}. */
    PIPELINE_TOO_DEEP,
    /** A request that did not arrive whole within {@code timeouts.request}. */
    REQUEST_TIMEOUT,
    /** A body the buffered-body budgets ({@code limits.maxBufferedBodyBytes}, per address) had no room for. */
    BODY_BUFFERS_FULL,
    PARSE_ERROR,
    GATE_FAILED,
    /** The proxy closed while the call waited for its admission verdict (held, or being decided). */
    PROXY_STOPPING,
    /** The client half-closed (or went away) while its call waited for its admission verdict. */
    CLIENT_HALF_CLOSED;

    /** The label value, e.g. "upstream_timeout". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
