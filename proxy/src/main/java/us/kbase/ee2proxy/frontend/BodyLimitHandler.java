package us.kbase.ee2proxy.frontend;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the aggregator. A request whose {@code Content-Length} is over the body limit is
 * refused before its body is read (passed on as a failed request, so the relay answers it in
 * order); the connection then closes, so the rest of it is dropped. {@code Expect: 100-continue}
 * is answered here, since the proxy, not EE2, reads the body.
 */
final class BodyLimitHandler extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private boolean refusing;

    BodyLimitHandler(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest) && request.decoderResult().isSuccess()) {
            long length = HttpUtil.getContentLength(request, -1L);
            if (length > maxBodyBytes) {
                refusing = true;
                FullHttpRequest refused = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                        request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
                refused.setDecoderResult(DecoderResult.failure(new ProxyReplies.BodyTooLargeException(length)));
                ReferenceCountUtil.release(msg);
                ctx.fireChannelRead(refused);
                return;
            }
            if (HttpUtil.is100ContinueExpected(request)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
                request.headers().remove(HttpHeaderNames.EXPECT);
            }
        }
        ctx.fireChannelRead(msg);
    }
}
