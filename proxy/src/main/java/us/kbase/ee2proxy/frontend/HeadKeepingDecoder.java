package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, unchanged in what it parses and refuses (request smuggling, invalid
 * headers, the size limits), that also keeps the bytes each request's head arrived as
 * ({@link ClientHead}), so the request for EE2 can be spliced from them instead of re-written.
 *
 * <p>How: the decoder consumes a head from the front of the bytes it is given, a line at a time, and
 * emits the request in the call that consumes the blank line; it returns from that call without
 * reading any of the body. So the head is exactly the bytes consumed from the end of the previous
 * request up to that call, less the control characters and whitespace the decoder skips before a
 * request line. A head that arrives in one read (the usual case) is copied once, straight from the
 * read buffer into an array of its size; one that arrives over several reads is gathered in a
 * scratch array that is let go as soon as the head is complete. What is consumed while a body is
 * read is not looked at. The gathering is bounded: past twice the decoder's own limits (which refuse
 * the request first) nothing is kept, and the request goes on without a head.
 */
final class HeadKeepingDecoder extends HttpRequestDecoder {
    private final int maxHeadBytes;
    /** Whether the bytes consumed now belong to a head (between requests, or in one); false while a body is read. */
    private boolean inHead = true;
    /** Head bytes consumed by earlier calls; null unless a head is arriving over several reads. */
    private byte[] partial;
    private int partialLength;
    /** The head being read went past {@link #maxHeadBytes}: it is not kept. */
    private boolean overflow;

    HeadKeepingDecoder(HttpDecoderConfig config) {
        super(config);
        this.maxHeadBytes = 2 * (config.getMaxInitialLineLength() + config.getMaxHeaderSize()) + 64;
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        // As HttpRequestDecoder does, with a request that can carry its head. Its version parsing is
        // strict and not public: HTTP/1.1 and HTTP/1.0 are taken here, anything else is parsed by it.
        HttpVersion version = HttpVersion.valueOf(initialLine[2]);
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            HttpMessage strict = super.createMessage(initialLine);
            return new RequestWithHead(strict.protocolVersion(), HttpMethod.valueOf(initialLine[0]), initialLine[1],
                    strict.headers());
        }
        return new RequestWithHead(version, HttpMethod.valueOf(initialLine[0]), initialLine[1], headersFactory.newHeaders());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int from = buffer.readerIndex();
        int emitted = out.size();
        super.decode(ctx, buffer, out);
        if (!inHead && out.size() == emitted) {
            return; // the body's bytes, nothing decoded whole: the fast path
        }
        boolean readingHead = inHead;
        for (int i = emitted; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof RequestWithHead request) {
                if (readingHead && request.decoderResult().isSuccess()) {
                    request.clientHead = take(buffer, from, buffer.readerIndex(), request.headers().size());
                }
                forget();
                inHead = false;
            }
            if (decoded instanceof HttpObject object && object.decoderResult().isFailure()) {
                // A malformed request: the decoder discards all that follows, and so does this.
                forget();
                inHead = false;
                return;
            }
            if (decoded instanceof LastHttpContent) {
                inHead = true; // the request ended: what is consumed next is the next one's head
            }
        }
        if (readingHead && out.size() == emitted) {
            gather(buffer, from, buffer.readerIndex());
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        forget();
        super.handlerRemoved0(ctx);
    }

    /** The head that ends at {@code to}: what earlier calls gathered and {@code from..to} of this call. */
    private ClientHead take(ByteBuf buffer, int from, int to, int headers) {
        if (overflow) {
            return null;
        }
        if (partialLength == 0) {
            from = skipBeforeRequestLine(buffer, from, to);
        }
        int length = partialLength + (to - from);
        if (length > maxHeadBytes) {
            return null;
        }
        byte[] head = new byte[length];
        if (partialLength > 0) {
            System.arraycopy(partial, 0, head, 0, partialLength);
        }
        buffer.getBytes(from, head, partialLength, to - from);
        return new ClientHead(head, headers);
    }

    /** Keeps {@code from..to}, consumed by a call that did not end the head. */
    private void gather(ByteBuf buffer, int from, int to) {
        if (overflow) {
            return;
        }
        if (partialLength == 0) {
            from = skipBeforeRequestLine(buffer, from, to);
        }
        int n = to - from;
        if (n == 0) {
            return;
        }
        if (partialLength + n > maxHeadBytes) {
            overflow = true;
            partial = null;
            partialLength = 0;
            return;
        }
        if (partial == null || partial.length < partialLength + n) {
            byte[] grown = new byte[Math.min(maxHeadBytes, Math.max(256, 2 * (partialLength + n)))];
            if (partialLength > 0) {
                System.arraycopy(partial, 0, grown, 0, partialLength);
            }
            partial = grown;
        }
        buffer.getBytes(from, partial, partialLength, n);
        partialLength += n;
    }

    private void forget() {
        partial = null;
        partialLength = 0;
        overflow = false;
    }

    /**
     * The first byte of a request line at or after {@code from}: the decoder skips control characters
     * and whitespace there (e.g. the CRLF some clients send after a body). Should this ever skip other
     * bytes than the decoder does, the head's request line no longer matches the decoded one and the
     * request is re-written from its decoded headers ({@link HeadSplice}).
     */
    private static int skipBeforeRequestLine(ByteBuf buffer, int from, int to) {
        int i = from;
        while (i < to) {
            int b = buffer.getByte(i) & 0xff;
            if (b > ' ' && (b < 0x7f || b > 0x9f)) {
                break;
            }
            i++;
        }
        return i;
    }

    /** A request as decoded, with its head once the decoder has emitted it. */
    static final class RequestWithHead extends DefaultHttpRequest implements ClientHead.Kept {
        private ClientHead clientHead;

        private RequestWithHead(HttpVersion version, HttpMethod method, String uri, HttpHeaders headers) {
            super(version, method, uri, headers);
        }

        @Override
        public ClientHead clientHead() {
            return clientHead;
        }
    }
}
