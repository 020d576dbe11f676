package us.kbase.ee2proxy.frontend;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.Limits;

/**
 * A client connection's pipeline: the request deadline (on the bytes, before they are decoded), the
 * HTTP/1.1 request decoder with the header limits (Netty's, keeping each head's bytes: {@link HeadKeepingDecoder}) and the response encoder that lets EE2's answers
 * through as bytes, the idle timer, the request screen (methods, Expect, the
 * body limit and budget, 100-continue), aggregation, then the relay. The connection joins the
 * proxy's {@link ClientConnections}, which a drain and close act on.
 */
public final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    private static final String DECODER = "http";

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
        // A decoder and an encoder, not Netty's server codec: the codec's encoder matches responses
        // to the requests' methods, and EE2's answers go past it as bytes (PassThroughResponseEncoder).
        // Nor does the codec bound pipelining here; the relay does (limits.maxPipelinedRequests),
        // refusing before forwarding.
        p.addLast("answers", new PassThroughResponseEncoder());
        p.addLast(DECODER, new HeadKeepingDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(65536)));
        p.addLast("idle", new IdleStateHandler(0, 0, relay.config().timeouts().clientIdle().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("screen", new RequestScreen(limits.maxBodyBytes(), bodies));
        p.addLast("aggregate", new BodyLimitAggregator(limits.maxBodyBytes()));
        p.addLast("relay", new ClientRelay(relay, deadline, bodies, clientIp));
    }

    /**
     * Nothing more is read as HTTP on this connection: the decoder leaves the pipeline (the encoder
     * stays, for the answers still to be written) and whatever still arrives reaches the relay as
     * raw bytes, which it drops. For a connection that closes once it has answered what it has:
     * decoding the rest would only queue requests that are never answered.
     */
    static void stopDecoding(ChannelPipeline p) {
        if (p.get(DECODER) != null) {
            p.remove(DECODER);
        }
    }
}
