package us.kbase.ee2proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.frontend.Transport;
import us.kbase.ee2proxy.metrics.ProxyMetrics;

/**
 * The admin port: {@code /metrics}, {@code /health} (readiness), {@code /health/live} and {@code POST /admin/policy/reload}, on its
 * own single thread so a scrape never competes with client traffic. Binds to loopback by default
 * (config {@code admin}); bound elsewhere, its POSTs require a KBase token with EE2_ADMIN.
 */
public final class AdminServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static AdminServer start(HostPort address, Transport transport, ProxyMetrics metrics) throws Exception {
        return start(address, transport, metrics, AdminActions.NONE);
    }

    /**
     * @param actions what POSTs may do; on a non-loopback address they need an EE2_ADMIN token
     */
    public static AdminServer start(HostPort address, Transport transport, ProxyMetrics metrics, AdminActions actions)
            throws Exception {
        return start(address, transport, metrics, actions, Readiness.ALWAYS);
    }

    /**
     * @param readiness what {@code /health} reports: 200 when ready, 503 and the reason until then
     */
    public static AdminServer start(HostPort address, Transport transport, ProxyMetrics metrics, AdminActions actions,
            Readiness readiness) throws Exception {
        EventLoopGroup group = transport.newGroup(1, "ee2proxy-admin");
        InetSocketAddress bindTo = address.toAddress();
        boolean exposed = bindTo.isUnresolved() || !bindTo.getAddress().isLoopbackAddress();
        AdminRequestHandler handler = new AdminRequestHandler(metrics, new PolicyReloadAction(actions, exposed), readiness);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), handler);
                        }
                    })
                    .bind(address.toAddress()).sync().channel();
            return new AdminServer(group, channel);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
