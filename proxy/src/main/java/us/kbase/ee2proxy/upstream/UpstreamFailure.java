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
        UNREACHABLE(false),
        /** EE2 did not send a whole response within the response timeout. */
        TIMEOUT(true),
        /** EE2 closed or reset the connection before its response was complete. */
        CLOSED(true),
        /** EE2's response was larger than {@code limits.maxResponseBytes}: EE2 did act on the call. */
        RESPONSE_TOO_LARGE(true),
        /** EE2's response was not valid HTTP. */
        BAD_RESPONSE(true),
        /** Every pooled connection of this event loop is busy and its wait list is full ({@code upstream.maxWaitingPerLoop}). */
        POOL_EXHAUSTED(false),
        /** The request waited {@code timeouts.response} for a pooled connection and none came free: it was never sent. */
        WAIT_TIMEOUT(false);

        private final boolean mayHaveReachedEe2;

        Kind(boolean mayHaveReachedEe2) {
            this.mayHaveReachedEe2 = mayHaveReachedEe2;
        }

        /**
         * Whether EE2 may have received (and acted on) the call. False only when the request
         * certainly never left the proxy; a TLS failure after connecting counts as not sent, since
         * no request bytes pass before the handshake completes.
         */
        public boolean mayHaveReachedEe2() {
            return mayHaveReachedEe2;
        }
    }

    public UpstreamFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
