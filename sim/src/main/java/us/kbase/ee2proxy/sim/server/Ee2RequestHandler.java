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
import java.util.function.LongSupplier;
import us.kbase.ee2proxy.sim.app.RunSettings;
import us.kbase.ee2proxy.sim.rpc.Ee2Endpoint;
import us.kbase.ee2proxy.sim.rpc.Ee2Reply;

/**
 * Every request auth2 did not take: EE2's JSON-RPC, whatever the path. A call of the simulator's
 * own parents and runners that names an earlier run than the current one
 * ({@link RunSettings#RUN_HEADER}) is refused without being looked at: it was in flight when a
 * reset started the next run (a parallel app's run_job would create a job there, with no parent
 * and no runner of its run, and a runner's start_job could mark a job running that nothing then
 * finishes).
 */
@Sharable
final class Ee2RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Ee2Endpoint endpoint;
    private final LongSupplier run;

    Ee2RequestHandler(Ee2Endpoint endpoint, LongSupplier run) {
        this.endpoint = endpoint;
        this.run = run;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String sentBy = req.headers().get(RunSettings.RUN_HEADER);
        long now = run.getAsLong();
        Ee2Reply reply = req.method().equals(HttpMethod.OPTIONS)
                ? Ee2Endpoint.options()
                : sentBy != null && !sentBy.equals(Long.toString(now))
                ? Ee2Endpoint.staleRun("ee2sim: a call of run " + sentBy + ", which a reset ended (this is run " + now
                        + "): refused, so that it changes nothing in this run")
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
