package us.kbase.ee2proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import us.kbase.ee2proxy.config.ProxyConfig;

/**
 * Keep-alive connections to EE2, pooled per event loop: a client channel's request goes out on a
 * connection owned by the same event loop (no thread hop, no locks, as in Netty's proxy example).
 * Each loop's pool is bounded; requests beyond it wait for a connection to come back, and beyond
 * a bounded wait list fail at once. A connection that closed, errored, timed out or was told
 * {@code Connection: close} is never reused, nor one left in a state the proxy cannot be sure of
 * (its request not yet sent whole, an answer that ends at close, a CONNECT or 1xx upgrade): it is
 * closed instead, so one client's odd exchange never fails another client's call.
 */
public final class UpstreamPool {
    /** Requests that may wait for a busy loop's connection before the proxy says it is overloaded. */
    private static final int MAX_WAITING_PER_LOOP = 4096;

    private final Map<EventExecutor, LoopPool> pools = new IdentityHashMap<>();
    private final int maxConnections;

    public UpstreamPool(EventLoopGroup group, Class<? extends Channel> channelType, ProxyConfig config) {
        this.maxConnections = config.upstream().maxConnectionsPerLoop();
        Bootstrap template = new Bootstrap()
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis()))
                .handler(new UpstreamInitializer(config, UpstreamTls.context(config.upstream())))
                .remoteAddress(config.upstream().host(), config.upstream().port());
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, new LoopPool(template.clone(loop)));
        }
    }

    /**
     * Sends {@code request} to EE2 on a pooled connection of {@code loop} and reports to
     * {@code exchange} exactly once. Takes ownership of {@code request}. Must be called on
     * {@code loop}.
     */
    public void send(EventLoop loop, FullHttpRequest request, UpstreamExchange exchange) {
        pools.get(loop).send(new Pending(request, exchange));
    }

    /** Open connections to EE2 across all loops (for the metrics gauge; approximate while traffic flows). */
    public int openConnections() {
        int n = 0;
        for (LoopPool p : pools.values()) {
            n += p.open;
        }
        return n;
    }

    private record Pending(FullHttpRequest request, UpstreamExchange exchange) {}

    /** One event loop's connections. Touched only on that loop's thread. */
    private final class LoopPool {
        private final Bootstrap bootstrap;
        private final ArrayDeque<Channel> idle = new ArrayDeque<>();
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private int open;

        LoopPool(Bootstrap bootstrap) {
            this.bootstrap = bootstrap;
        }

        void send(Pending pending) {
            Channel ch;
            while ((ch = idle.pollLast()) != null) {
                if (handler(ch).reusable()) {
                    write(ch, pending);
                    return;
                }
                ch.close();
            }
            if (open < maxConnections) {
                connect(pending);
            } else if (waiting.size() < MAX_WAITING_PER_LOOP) {
                waiting.addLast(pending);
            } else {
                pending.request().release();
                pending.exchange().onFailure(new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED,
                        maxConnections + " connections busy and " + MAX_WAITING_PER_LOOP + " requests waiting"));
            }
        }

        private void connect(Pending pending) {
            open++;
            ChannelFuture f = bootstrap.connect();
            f.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    open--;
                    pending.request().release();
                    pending.exchange().onFailure(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, reason(done.cause())));
                    sendNextWaiting();
                    return;
                }
                Channel ch = done.channel();
                ch.closeFuture().addListener(closed -> {
                    open--;
                    idle.remove(ch);
                    sendNextWaiting();
                });
                write(ch, pending);
            });
        }

        private void write(Channel ch, Pending pending) {
            UpstreamExchange exchange = pending.exchange();
            handler(ch).begin(new UpstreamExchange() {
                @Override
                public void onResponse(FullHttpResponse response) {
                    boolean keepAlive = HttpUtil.isKeepAlive(response);
                    exchange.onResponse(response);
                    giveBack(ch, keepAlive);
                }

                @Override
                public void onFailure(UpstreamFailure failure) {
                    exchange.onFailure(failure);
                    ch.close();
                }
            }, pending.request().method());
            ch.writeAndFlush(pending.request(), ch.voidPromise());
        }

        private void giveBack(Channel ch, boolean keepAlive) {
            if (!keepAlive || !handler(ch).reusable() || !sentWhole(ch)) {
                ch.close();
                return;
            }
            Pending next = waiting.pollFirst();
            if (next != null) {
                write(ch, next);
            } else {
                idle.addLast(ch);
            }
        }

        private void sendNextWaiting() {
            if (!waiting.isEmpty() && open < maxConnections) {
                connect(waiting.pollFirst());
            }
        }
    }

    /**
     * Whether every byte written to {@code ch} has left for the network. EE2 (or a front door before
     * it) may answer before it has read the whole request, refusing it early; the rest of that
     * request would then go out ahead of the next one on this connection and be read as its start.
     * Read from the channel's write buffer, so the fast path needs no write promise per request.
     */
    private static boolean sentWhole(Channel ch) {
        ChannelOutboundBuffer unsent = ch.unsafe().outboundBuffer();
        return unsent != null && unsent.totalPendingWriteBytes() == 0;
    }

    private static UpstreamResponseHandler handler(Channel ch) {
        return (UpstreamResponseHandler) ch.pipeline().get(UpstreamInitializer.RESPONSE_HANDLER);
    }

    private static String reason(Throwable cause) {
        if (cause instanceof ConnectException) {
            String msg = UpstreamResponseHandler.rootMessage(cause);
            return msg.toLowerCase().contains("refused") ? "connection refused" : msg;
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host " + cause.getMessage();
        }
        if (cause instanceof ConnectTimeoutException) {
            return "no connection within the connect timeout";
        }
        return UpstreamResponseHandler.rootMessage(cause);
    }

}
