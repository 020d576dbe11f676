package us.kbase.ee2proxy.frontend;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the aggregator and looks at each request's head before its body is read. It refuses
 * there what the proxy will not forward: a method EE2 does not serve ({@link Route}), an
 * {@code Expect} other than 100-continue (Netty's aggregator would answer a bare 417 out of turn),
 * a {@code Content-Length} over the body limit, and a body the {@link BodyBudget} has no room for
 * (a chunked body is reserved chunk by chunk as it arrives, and refused at the chunk that does not
 * fit). A refused request goes on as a body-less stand-in that the relay answers in its turn,
 * EE2-shaped; nothing more is read as HTTP on that connection, which closes after the answer.
 * {@code Expect: 100-continue} is answered here, since the proxy, not EE2, reads the body.
 */
final class RequestScreen extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private final BodyBudget.Account bodies;
    /** The head of a body arriving without a declared length, whose chunks are reserved as they come; else null. */
    private HttpRequest chunked;
    private boolean refusing;

    RequestScreen(int maxBodyBytes, BodyBudget.Account bodies) {
        this.maxBodyBytes = maxBodyBytes;
        this.bodies = bodies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && !(msg instanceof FullHttpRequest)) {
            chunked = null;
            if (head.decoderResult().isSuccess()) {
                RuntimeException refusal = screen(ctx, head);
                if (refusal != null) {
                    refuse(ctx, head, msg, refusal);
                    return;
                }
            }
        } else if (chunked != null && msg instanceof HttpContent chunk && !(msg instanceof HttpRequest)) {
            HttpRequest head = chunked;
            if (msg instanceof LastHttpContent) {
                chunked = null;
            }
            BodyBudget.Reservation taken = bodies.reserve(chunk.content().readableBytes());
            if (taken != BodyBudget.Reservation.TAKEN) {
                refuse(ctx, head, msg, full(taken));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Why {@code head} is refused, or null when its body may be read (then its bytes are reserved). */
    private RuntimeException screen(ChannelHandlerContext ctx, HttpRequest head) {
        if (Route.of(head) == Route.NOT_SERVED) {
            return new Refusal(Refusal.Kind.METHOD_NOT_SERVED, head.method().name());
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        // As Netty reads it: a server ignores Expect in an HTTP/1.0 request (RFC 9110 section 10.1.1).
        boolean expectsContinue = false;
        if (expect != null && head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                return new Refusal(Refusal.Kind.EXPECTATION_NOT_SUPPORTED, expect);
            }
            expectsContinue = true;
        }
        long length = HttpUtil.getContentLength(head, -1L);
        if (length > maxBodyBytes) {
            return new ProxyReplies.BodyTooLargeException(length);
        }
        if (length > 0) {
            BodyBudget.Reservation taken = bodies.reserve(length);
            if (taken != BodyBudget.Reservation.TAKEN) {
                return full(taken);
            }
        } else if (length < 0 && HttpUtil.isTransferEncodingChunked(head)) {
            chunked = head;
        }
        if (expectsContinue) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            head.headers().remove(HttpHeaderNames.EXPECT);
        }
        return null;
    }

    private static Refusal full(BodyBudget.Reservation taken) {
        return taken == BodyBudget.Reservation.ADDRESS_FULL
                ? new Refusal(Refusal.Kind.ADDRESS_BODY_BUFFERS_FULL, "per address")
                : new Refusal(Refusal.Kind.BODY_BUFFERS_FULL, "in total");
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest head, Object msg, RuntimeException why) {
        refusing = true;
        chunked = null;
        ReferenceCountUtil.release(msg);
        FrontendInitializer.stopDecoding(ctx.pipeline());
        ctx.fireChannelRead(Refusal.standIn(head, why));
    }
}
