package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.jsonrpc.RpcEnvelope;

/**
 * The one call a client connection is answering, and what the relay learnt about it on the way.
 * One per connection, reused for each of its calls, so the fast path allocates nothing for it.
 * Touched only on the connection's event loop.
 */
final class CallInProgress {
    /** The request being answered, owned (retained) until its response is written. */
    private FullHttpRequest request;
    private boolean keepAlive;
    private String methodLabel;
    /** The call's JSON-RPC envelope, so the proxy's own errors answer with its id and version; null if not a call. */
    private RpcEnvelope envelope;
    /** What wants to see EE2's answer to this call (admission, job tracking), until told. */
    private ReplyObserver observer;
    /** The call's verdict while the gate has not given it (the relay is DECIDING: held, or being decided). */
    private AwaitedVerdict awaited;
    private long sentAt;

    /** Takes {@code next} (and its ownership) as the call being answered. */
    void begin(FullHttpRequest next) {
        request = next;
        keepAlive = HttpUtil.isKeepAlive(next);
        envelope = null;
        observer = null;
    }

    /**
     * The call is about to wait at the proxy (held by admission, possibly for minutes, or for a free
     * connection to EE2, up to {@code timeouts.response}): its body is
     * copied into a heap buffer of exactly its size and the request as decoded is let go. That
     * unpins the pooled read buffer the body was a slice of (measured: about 2 KB of direct memory
     * per held call) and drops the aggregator's composite buffer and empty trailers (about 0.5 KB
     * of heap); the copy is of a few hundred bytes, once per held call, never on the pass-through path.
     * The same readable bytes, so the body budget's account is unchanged.
     */
    void compactForWait() {
        FullHttpRequest decoded = request;
        if (decoded.content().capacity() == decoded.content().readableBytes() && decoded.content().hasArray()) {
            return; // already its own (compacted when it was held, now waiting for a connection)
        }
        ByteBuf body = decoded.content();
        ByteBuf own = Unpooled.buffer(body.readableBytes(), body.readableBytes()).writeBytes(body, body.readerIndex(), body.readableBytes());
        ClientHead head = ClientHead.of(decoded);
        FullHttpRequest compact;
        if (head != null) {
            compact = new FullRequestWithHead(decoded, own, head); // the head is its own array already: shared
        } else {
            compact = new DefaultFullHttpRequest(decoded.protocolVersion(), decoded.method(), decoded.uri(), own,
                    decoded.headers(), EmptyHttpHeaders.INSTANCE);
            compact.setDecoderResult(decoded.decoderResult());
        }
        request = compact;
        decoded.release();
    }

    /** The call is answered (or its client is gone): releases its request. */
    void end() {
        request.release();
        request = null;
    }

    boolean active() {
        return request != null;
    }

    FullHttpRequest request() {
        return request;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    /** This answer is the connection's last. */
    void closeAfterAnswer() {
        keepAlive = false;
    }

    String methodLabel() {
        return methodLabel;
    }

    void methodLabel(String label) {
        methodLabel = label;
    }

    RpcEnvelope envelope() {
        return envelope;
    }

    void envelope(RpcEnvelope callEnvelope) {
        envelope = callEnvelope;
    }

    void observer(ReplyObserver told) {
        observer = told;
    }

    /** The observer, which is told at most once: null once taken. */
    ReplyObserver takeObserver() {
        ReplyObserver told = observer;
        observer = null;
        return told;
    }

    void awaited(AwaitedVerdict verdict) {
        awaited = verdict;
    }

    /** The relay stops waiting for the verdict (DECIDING ends): it is never acted on. */
    void abandonVerdict() {
        awaited.abandon();
        awaited = null;
    }

    /** Marks the moment the call left for EE2. */
    void sent() {
        sentAt = System.nanoTime();
    }

    long nanosSinceSent() {
        return System.nanoTime() - sentAt;
    }
}
