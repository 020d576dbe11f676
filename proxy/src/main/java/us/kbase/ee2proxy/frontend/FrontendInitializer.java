package us.kbase.ee2proxy.frontend;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.Limits;

/**
 * A client connection's pipeline: HTTP/1.1 codec with the header limits, the idle timer, the body
 * limit and 100-continue, aggregation, then the relay. The connection joins the proxy's
 * {@link ClientConnections}, which a drain and close act on.
 */
public final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    private final Relay relay;

    FrontendInitializer(Relay relay) {
        this.relay = relay;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        Limits limits = relay.config().limits();
        relay.clients().add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec(limits.maxInitialLineBytes(), limits.maxHeaderBytes(), 65536));
        p.addLast("idle", new IdleStateHandler(0, 0, relay.config().timeouts().clientIdle().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("bodyLimit", new BodyLimitHandler(limits.maxBodyBytes()));
        p.addLast("aggregate", new BodyLimitAggregator(limits.maxBodyBytes()));
        p.addLast("relay", new RequestRelayHandler(relay));
    }
}
