package us.kbase.ee2proxy.sim.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import us.kbase.ee2proxy.sim.rpc.Ee2Endpoint;
import us.kbase.ee2proxy.sim.rpc.Ee2Reply;

/** Every request auth2 did not take: EE2's JSON-RPC, whatever the path. */
@Sharable
final class Ee2RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Ee2Endpoint endpoint;

    Ee2RequestHandler(Ee2Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Ee2Reply reply = req.method().equals(HttpMethod.OPTIONS)
                ? Ee2Endpoint.options()
                : endpoint.handle(req.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(req.content()));
        write(ctx, req, reply);
    }

    /** Headers in the order EE2's WSGI app lists them. */
    static void write(ChannelHandlerContext ctx, FullHttpRequest req, Ee2Reply reply) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                reply.status() == 200 ? HttpResponseStatus.OK : HttpResponseStatus.INTERNAL_SERVER_ERROR,
                Unpooled.wrappedBuffer(reply.body()));
        HttpHeaders h = res.headers();
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !reply.close();
        if (reply.close()) {
            h.add(HttpHeaderNames.CONNECTION, "close");
            h.add("Content-Type", reply.contentType());
            h.add("Content-Length", reply.body().length);
        } else {
            String asked = req.headers().get("Access-Control-Request-Headers");
            h.add("Access-Control-Allow-Origin", "*");
            h.add("Access-Control-Allow-Headers", asked == null ? "authorization" : asked);
            h.add("content-type", reply.contentType());
            h.add("content-length", reply.body().length);
            if (!keepAlive) {
                h.add(HttpHeaderNames.CONNECTION, "close");
            } else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                h.add(HttpHeaderNames.CONNECTION, "keep-alive");
            }
        }
        if (keepAlive) {
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
