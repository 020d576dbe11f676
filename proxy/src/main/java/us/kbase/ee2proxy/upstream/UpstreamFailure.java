package us.kbase.ee2proxy.upstream;

import java.util.Objects;

/**
 * Why an exchange with EE2 produced no usable response.
 *
 * @param kind what went wrong, for the reply's wording and the errors metric
 * @param detail a short technical reason ("connection refused"), never a stack trace
 */
public record UpstreamFailure(Kind kind, String detail) {

    public enum Kind {
        /** No connection could be made (refused, unresolvable, TLS handshake failed, connect timeout). */
        UNREACHABLE,
        /** EE2 did not send a whole response within the response timeout. */
        TIMEOUT,
        /** EE2 closed or reset the connection before its response was complete. */
        CLOSED,
        /** EE2's response was larger than {@code limits.maxResponseBytes}. */
        RESPONSE_TOO_LARGE,
        /** EE2's response was not valid HTTP. */
        BAD_RESPONSE,
        /** Every pooled connection of this event loop is busy and too many requests already wait. */
        POOL_EXHAUSTED
    }

    public UpstreamFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
