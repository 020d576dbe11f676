package us.kbase.ee2proxy.frontend;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the aggregator and looks at each request's head before its body is read. It refuses
 * there what the proxy will not forward: a method EE2 does not serve ({@link Route}), an
 * {@code Expect} other than 100-continue (Netty's aggregator would answer a bare 417 out of turn),
 * and a {@code Content-Length} over the body limit. A refused request goes on as a body-less stand-in that the relay answers in its turn,
 * EE2-shaped; nothing more is read as HTTP on that connection, which closes after the answer.
 * {@code Expect: 100-continue} is answered here, since the proxy, not EE2, reads the body.
 */
final class RequestScreen extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private boolean refusing;

    RequestScreen(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && !(msg instanceof FullHttpRequest)) {
            if (head.decoderResult().isSuccess()) {
                RuntimeException refusal = screen(ctx, head);
                if (refusal != null) {
                    refuse(ctx, head, msg, refusal);
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Why {@code head} is refused, or null when its body may be read. */
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
        if (expectsContinue) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            head.headers().remove(HttpHeaderNames.EXPECT);
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest head, Object msg, RuntimeException why) {
        refusing = true;
        ReferenceCountUtil.release(msg);
        FrontendInitializer.stopDecoding(ctx.pipeline());
        ctx.fireChannelRead(Refusal.standIn(head, why));
    }
}
