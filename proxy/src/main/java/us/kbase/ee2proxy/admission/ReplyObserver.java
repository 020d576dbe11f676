package us.kbase.ee2proxy.admission;

import io.netty.buffer.ByteBuf;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * Learns how a forwarded call ended, for job tracking (bind a lease to the job id EE2 returns,
 * release it on an error). Exactly one of the three methods is called, exactly once, on the
 * client connection's event loop; it must not block. Even a client that disconnected after its
 * call was forwarded still produces the callback (EE2 may have created the job).
 */
public interface ReplyObserver {

    /**
     * EE2 answered, with any status (its errors are HTTP 500 with a JSON-RPC error object).
     *
     * @param body EE2's response body; valid only during this call (copy what you keep) and not
     *     to be released or have its reader index moved
     */
    void onReply(int status, ByteBuf body);

    /**
     * No answer from EE2. {@link UpstreamFailure.Kind#mayHaveReachedEe2()} says whether EE2 could
     * have acted on the call (a timeout or a reset after sending) or certainly did not (no
     * connection). The proxy never retries a call.
     */
    void onFailure(UpstreamFailure failure);

    /** The verdict was to forward, but the client had gone: nothing was sent to EE2. */
    void onNotForwarded();

    /**
     * The admission decision EE2's reply is to carry in {@code X-Ee2-Proxy-Decision} (e.g.
     * {@code admitted; class=child}), or null for none: the reply's body never changes.
     */
    default String decision() {
        return null;
    }
}
