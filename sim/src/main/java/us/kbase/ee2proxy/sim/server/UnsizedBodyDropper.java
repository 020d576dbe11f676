package us.kbase.ee2proxy.sim.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * EE2 reads exactly Content-Length bytes ({@code wsgi.input.read(CONTENT_LENGTH or 0)}): a
 * request without one (chunked) reaches EE2 with an empty body. This drops such a body before
 * aggregation so the simulator sees what EE2 sees.
 */
final class UnsizedBodyDropper extends ChannelInboundHandlerAdapter {
    private boolean dropping;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpMessage) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            dropping = !req.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
            ctx.fireChannelRead(msg);
            return;
        }
        if (dropping && msg instanceof HttpContent) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
