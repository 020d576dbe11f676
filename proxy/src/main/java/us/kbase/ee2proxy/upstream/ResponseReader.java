package us.kbase.ee2proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * Frames EE2's responses on one pooled connection, reading only what framing needs
 * ({@link ResponseHead}), and hands each on whole as bytes ({@link Ee2Response}) or, for a 1xx, as
 * an {@link Interim}. Replaces Netty's HTTP client codec and aggregator, which decoded every header
 * into objects that the front end then encoded again: profiles put most of a pass-through call's
 * CPU there.
 *
 * <p>A body with a Content-Length is a slice of the bytes read (no copy when it arrived in one
 * read); a chunked body is de-chunked into one buffer; a body that ends at close (neither) is
 * collected until EE2 closes, and its response says the connection is not kept. A head that is
 * not HTTP/1.x, or frames its body ambiguously, fails with {@link ResponseHead.Unreadable}; one
 * over the size limits with a {@link TooLongFrameException}; and nothing more is read after either.
 */
final class ResponseReader extends ByteToMessageDecoder {
    /** A 1xx response: the final one is still to come (or, for 101, the connection is no longer HTTP). */
    record Interim(int status) {}

    private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, BROKEN }

    private static final int MAX_HEAD_BYTES = 8192 + 65536;
    private static final int MAX_CHUNK_LINE = 8192;

    private final int maxBodyBytes;
    private final ResponseHead head = new ResponseHead();
    private State state = State.HEAD;
    /** The request being answered is a HEAD: its response has no body whatever its head says. */
    private boolean headRequest;
    /** The response being read: its spliced head, and its body when it is collected (chunked, until close). */
    private ByteBuf spliced;
    private ByteBuf body;
    private int status;
    private boolean keepAlive;
    private boolean lengthInHead;
    private long remaining;

    ResponseReader(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The next response answers a request of {@code method}. */
    void expect(HttpMethod method) {
        headRequest = HttpMethod.HEAD.equals(method);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case HEAD -> {
                    if (!head(ctx, in, out)) {
                        return;
                    }
                }
                case FIXED_BODY -> {
                    if (in.readableBytes() < remaining) {
                        return;
                    }
                    complete(out, in.readRetainedSlice((int) remaining));
                }
                case CHUNK_SIZE -> {
                    if (!chunkSize(in)) {
                        return;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(in.readableBytes(), remaining);
                    body.writeBytes(in, n);
                    remaining -= n;
                    if (remaining > 0) {
                        return;
                    }
                    state = State.CHUNK_END;
                }
                case CHUNK_END -> {
                    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        return;
                    }
                    in.readerIndex(lf + 1);
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    int end = ResponseHead.end(in, in.readerIndex());
                    if (end < 0) {
                        tooLong(in, MAX_HEAD_BYTES, "its trailers are larger than the proxy reads");
                        return;
                    }
                    in.readerIndex(end); // trailers are dropped, as the aggregating codec did
                    complete(out, body);
                }
                case UNTIL_CLOSE -> {
                    collect(in.readableBytes());
                    body.writeBytes(in);
                    return;
                }
                case BROKEN -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (state == State.UNTIL_CLOSE) {
            complete(out, body); // the close is the body's end; anything else cut short is no response
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        drop();
    }

    /** Reads a head if it has all arrived; false if not (or if it was a 1xx that ended the read). */
    private boolean head(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Empty lines before a status line are skipped (RFC 9112 section 2.2).
        while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
            in.skipBytes(1);
        }
        int from = in.readerIndex();
        int end = ResponseHead.end(in, from);
        if (end < 0) {
            tooLong(in, MAX_HEAD_BYTES, "its response head is larger than the proxy reads");
            return false;
        }
        try {
            head.read(in, from, end);
        } catch (ResponseHead.Unreadable e) {
            state = State.BROKEN;
            throw e;
        }
        status = head.status;
        if (status >= 100 && status < 200) {
            in.readerIndex(end);
            out.add(new Interim(status));
            if (status == 101) {
                state = State.BROKEN; // what follows is not HTTP
                return false;
            }
            return true;
        }
        boolean noBody = headRequest || status == 204 || status == 304;
        boolean untilClose = !noBody && (head.otherCoding || (!head.chunked && head.contentLength < 0));
        keepAlive = !untilClose && (head.http11 ? !head.connectionClose : head.connectionKeepAlive);
        if (!noBody && !head.chunked && head.contentLength > maxBodyBytes) {
            state = State.BROKEN;
            throw new TooLongFrameException("its response is larger than " + maxBodyBytes + " bytes");
        }
        // Content-Length stays as EE2 sent it unless the proxy counts the body itself (chunked, until close).
        boolean keepLength = noBody || (!head.chunked && !untilClose);
        lengthInHead = keepLength && head.contentLength >= 0;
        spliced = head.splice(in, from, end, keepLength, ctx.alloc());
        in.readerIndex(end);
        if (noBody) {
            complete(out, Unpooled.EMPTY_BUFFER);
        } else if (head.chunked) {
            body = ctx.alloc().buffer();
            state = State.CHUNK_SIZE;
        } else if (untilClose) {
            body = ctx.alloc().buffer();
            state = State.UNTIL_CLOSE;
        } else {
            remaining = head.contentLength;
            state = State.FIXED_BODY;
        }
        return true;
    }

    private boolean chunkSize(ByteBuf in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            tooLong(in, MAX_CHUNK_LINE, "its chunk size line is longer than the proxy reads");
            return false;
        }
        long size = 0;
        int digits = 0;
        for (int i = in.readerIndex(); i < lf; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break; // an extension (";"), or the line's end
            }
            size = size * 16 + d;
            if (++digits > 15) {
                break;
            }
        }
        if (digits == 0 || digits > 15) {
            state = State.BROKEN;
            throw new ResponseHead.Unreadable("its chunked body has a bad chunk size: "
                    + ResponseHead.printable(in, in.readerIndex(), lf));
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            collect(size);
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    /** {@code n} more body bytes are about to be collected: within the limit, or the response fails. */
    private void collect(long n) {
        if (body.readableBytes() + n > maxBodyBytes) {
            state = State.BROKEN;
            throw new TooLongFrameException("its response is larger than " + maxBodyBytes + " bytes");
        }
    }

    private void tooLong(ByteBuf in, int max, String message) {
        if (in.readableBytes() > max) {
            state = State.BROKEN;
            throw new ResponseHead.Unreadable(message);
        }
    }

    private void complete(List<Object> out, ByteBuf responseBody) {
        out.add(new Ee2Response(status, keepAlive, lengthInHead, spliced, responseBody));
        spliced = null;
        body = null;
        state = State.HEAD;
    }

    private void drop() {
        if (spliced != null) {
            spliced.release();
            spliced = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
