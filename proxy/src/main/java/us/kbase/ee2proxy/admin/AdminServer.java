package us.kbase.ee2proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.Limits;
import us.kbase.ee2proxy.config.Timeouts;
import us.kbase.ee2proxy.frontend.Transport;
import us.kbase.ee2proxy.metrics.ProxyMetrics;
import us.kbase.ee2proxy.status.OperatorPages;

/**
 * The admin port: {@code /metrics}, {@code /health} (readiness), {@code /health/live} and {@code POST /admin/policy/reload}, on its
 * own single thread so a scrape never competes with client traffic. Binds to loopback by default
 * (config {@code admin}); bound elsewhere, its POSTs require a KBase token with EE2_ADMIN.
 *
 * <p>Its connections share the process's open-files limit with the client port, so they are bounded
 * too: a connection quiet for {@code timeouts.adminIdle} is closed, and beyond
 * {@code limits.maxAdminConnections} open at once a new one is closed as soon as it is accepted
 * (20,000 idle admin connections once used up the file descriptors the main port needed).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** At most one warning about refused connections per this many nanoseconds. */
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static AdminServer start(HostPort address, Transport transport, ProxyMetrics metrics) throws Exception {
        return start(address, transport, metrics, AdminActions.NONE);
    }

    /** With the default idle timeout and connection cap. */
    public static AdminServer start(HostPort address, Transport transport, ProxyMetrics metrics, AdminActions actions)
            throws Exception {
        return start(address, Timeouts.DEFAULT_ADMIN_IDLE, Limits.DEFAULT_MAX_ADMIN_CONNECTIONS, transport, metrics, actions,
                Readiness.ALWAYS);
    }

    /**
     * @param idleTimeout a connection without traffic for this long is closed
     * @param maxConnections connections open at once; one more is closed when accepted
     * @param actions what POSTs may do; on a non-loopback address they need an EE2_ADMIN token
     * @param readiness what {@code /health} reports: 200 when ready, 503 and the reason until then
     */
    public static AdminServer start(HostPort address, Duration idleTimeout, int maxConnections, Transport transport,
            ProxyMetrics metrics, AdminActions actions, Readiness readiness) throws Exception {
        return start(address, idleTimeout, maxConnections, transport, metrics, actions, readiness, null);
    }

    /** @param operator the operator's views and actions on waiting calls; null: none */
    public static AdminServer start(HostPort address, Duration idleTimeout, int maxConnections, Transport transport,
            ProxyMetrics metrics, AdminActions actions, Readiness readiness, OperatorPages operator) throws Exception {
        EventLoopGroup group = transport.newGroup(1, "ee2proxy-admin");
        InetSocketAddress bindTo = address.toAddress();
        boolean exposed = bindTo.isUnresolved() || !bindTo.getAddress().isLoopbackAddress();
        AdminRequestHandler handler = new AdminRequestHandler(metrics, new PolicyReloadAction(actions, exposed), readiness,
                operator, exposed);
        long idleMillis = idleTimeout.toMillis();
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        /** Open connections; touched on the admin port's one thread only. */
                        private int open;
                        private long lastWarned = System.nanoTime() - WARN_EVERY_NANOS;

                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (open >= maxConnections) {
                                refuse(ch);
                                return;
                            }
                            open++;
                            ch.closeFuture().addListener(closed -> open--);
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                                    new HttpServerCodec(), new HttpObjectAggregator(65536), handler);
                        }

                        private void refuse(SocketChannel ch) {
                            ch.close();
                            long now = System.nanoTime();
                            if (now - lastWarned >= WARN_EVERY_NANOS) {
                                lastWarned = now;
                                LOG.warn("admin port: {} connections already open (limits.maxAdminConnections); closing new"
                                        + " ones, e.g. from {}", maxConnections, ch.remoteAddress());
                            }
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
