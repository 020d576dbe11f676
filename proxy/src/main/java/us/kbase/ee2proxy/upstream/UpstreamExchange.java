package us.kbase.ee2proxy.upstream;

/**
 * The party waiting for one request's answer from EE2. Exactly one of {@link #onResponse} and
 * {@link #onFailure} is called, once, on the upstream channel's event loop (which is the client
 * channel's), unless the request is taken back while it waits for a connection
 * ({@link UpstreamPool#withdraw}): then neither is.
 */
public interface UpstreamExchange {

    /**
     * The request is being written to EE2 now (after any wait for a free connection), on the event
     * loop; at most once, before the outcome. For timing EE2's answer without the wait.
     */
    default void sending() {}

    /** EE2's complete response, as its bytes; the callee owns (and must release or write) it. */
    void onResponse(Ee2Response response);

    void onFailure(UpstreamFailure failure);
}
