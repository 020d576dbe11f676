package us.kbase.ee2proxy.frontend;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.Limits;

/**
 * A client connection's pipeline: the request deadline (on the bytes, before they are decoded), the
 * HTTP/1.1 codec with the header limits, the idle timer, the request screen (methods, Expect, the
 * body limit and budget, 100-continue), aggregation, then the relay. The connection joins the
 * proxy's {@link ClientConnections}, which a drain and close act on.
 */
public final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    private static final String CODEC = "http";

    private final Relay relay;

    FrontendInitializer(Relay relay) {
        this.relay = relay;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        Limits limits = relay.config().limits();
        relay.clients().add(ch);
        String clientIp = UpstreamRequests.clientIp(ch.remoteAddress());
        BodyBudget.Account bodies = relay.bodies().open(clientIp);
        RequestDeadline deadline = new RequestDeadline(relay.config().timeouts().request().toNanos());
        ChannelPipeline p = ch.pipeline();
        p.addLast("deadline", deadline);
        // No pipelining bound in the codec: Netty's (128 by default) throws once that many requests
        // are decoded and unanswered, and the connection closes under calls already sent to EE2.
        // The relay bounds it instead (limits.maxPipelinedRequests), refusing before forwarding.
        p.addLast(CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(65536), Integer.MAX_VALUE));
        p.addLast("idle", new IdleStateHandler(0, 0, relay.config().timeouts().clientIdle().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("screen", new RequestScreen(limits.maxBodyBytes(), bodies));
        p.addLast("aggregate", new BodyLimitAggregator(limits.maxBodyBytes()));
        p.addLast("relay", new RequestRelayHandler(relay, deadline, bodies, clientIp));
    }

    /**
     * Nothing more is read as HTTP on this connection: the codec's decoder leaves the pipeline (its
     * encoder stays, for the answers still to be written) and whatever still arrives reaches the
     * relay as raw bytes, which it drops. For a connection that closes once it has answered what it
     * has: decoding the rest would only queue requests that are never answered, each of them counted
     * by the codec until the connection closes.
     */
    static void stopDecoding(ChannelPipeline p) {
        if (p.get(CODEC) instanceof HttpServerCodec codec) {
            codec.removeInboundHandler();
        }
    }
}
