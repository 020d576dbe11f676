package us.kbase.ee2proxy.sim.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.LongSupplier;
import us.kbase.ee2proxy.sim.auth.TokenRegistry;
import us.kbase.ee2proxy.sim.rpc.Ee2Endpoint;

/** One port, two services: auth2's paths first, EE2 for everything else. */
public final class SimServerInitializer extends ChannelInitializer<SocketChannel> {
    /** EE2 sits behind nginx with a generous body limit; job params can be large. */
    private static final int MAX_BODY = 256 * 1024 * 1024;

    private final Auth2RequestHandler auth2;
    private final Ee2RequestHandler ee2;

    /** @param run the simulator's current run: a call of an earlier one's parents and runners is refused */
    public SimServerInitializer(TokenRegistry tokens, Ee2Endpoint endpoint, LongSupplier run) {
        this.auth2 = new Auth2RequestHandler(tokens);
        this.ee2 = new Ee2RequestHandler(endpoint, run);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(new HttpServerCodec());
        p.addLast(new UnsizedBodyDropper());
        p.addLast(new HttpObjectAggregator(MAX_BODY));
        p.addLast(auth2);
        p.addLast(ee2);
    }
}
