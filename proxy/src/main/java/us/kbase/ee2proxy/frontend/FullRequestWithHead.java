package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A whole request (head and aggregated body) that still has its {@link ClientHead}: what the
 * aggregator hands the relay for a request the decoder kept the head of, and what a waiting call is
 * compacted into ({@link CallInProgress#compactForWait}). It shares the decoded request's headers
 * object, as Netty's own aggregated request does. Trailers of a chunked body are not kept: nothing
 * reads them and they are never forwarded (EE2 gets the body with a Content-Length). Copies,
 * duplicates and replacements made through Netty's API are plain requests without the head.
 */
final class FullRequestWithHead extends DefaultFullHttpRequest implements ClientHead.Kept {
    private final ClientHead clientHead;

    FullRequestWithHead(HttpRequest decoded, ByteBuf content, ClientHead clientHead) {
        // The request line was validated when the decoder made the request; not again here.
        super(decoded.protocolVersion(), decoded.method(), decoded.uri(), content, decoded.headers(), EmptyHttpHeaders.INSTANCE,
                false);
        setDecoderResult(decoded.decoderResult());
        this.clientHead = clientHead;
    }

    @Override
    public ClientHead clientHead() {
        return clientHead;
    }
}
