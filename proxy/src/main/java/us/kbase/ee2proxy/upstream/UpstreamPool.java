package us.kbase.ee2proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.metrics.ProxyMetrics;

/**
 * Keep-alive connections to EE2, pooled per event loop: a client channel's request goes out on a
 * connection owned by the same event loop (no thread hop, no locks, as in Netty's proxy example).
 * Each loop's pool is bounded; a request that finds every connection busy waits for one, in
 * arrival order, for at most {@code timeouts.response} (then it fails unsent), and leaves the wait
 * unsent the moment its client goes ({@link #withdraw}). Beyond a bounded wait list
 * ({@code upstream.maxWaitingPerLoop}) a request fails at once. A connection that closed, errored,
 * timed out or was told {@code Connection: close} is never reused, nor one left in a state the
 * proxy cannot be sure of (its request not yet sent whole, an answer that ends at close, a CONNECT
 * or 1xx upgrade): it is closed instead, so one client's odd exchange never fails another client's call.
 */
public final class UpstreamPool {
    private final Map<EventExecutor, LoopPool> pools = new IdentityHashMap<>();
    private final int maxConnections;
    private final int maxWaiting;
    private final long maxWaitNanos;
    private final ProxyMetrics metrics;

    public UpstreamPool(EventLoopGroup group, Class<? extends Channel> channelType, ProxyConfig config, ProxyMetrics metrics) {
        this.maxConnections = config.upstream().maxConnectionsPerLoop();
        this.maxWaiting = config.upstream().maxWaitingPerLoop();
        this.maxWaitNanos = config.timeouts().response().toNanos();
        this.metrics = metrics;
        Bootstrap template = new Bootstrap()
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis()))
                .handler(new UpstreamInitializer(config, UpstreamTls.context(config.upstream())))
                .remoteAddress(config.upstream().host(), config.upstream().port());
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, new LoopPool(loop, template.clone(loop)));
        }
    }

    /**
     * Sends {@code request} to EE2 on a pooled connection of {@code loop} and reports to
     * {@code exchange} exactly once, unless it is withdrawn while it waits. Takes ownership of
     * {@code request}. Must be called on {@code loop}; an exchange waits for at most one request at a time.
     */
    public void send(EventLoop loop, Ee2Request request, UpstreamExchange exchange) {
        pools.get(loop).send(request, exchange);
    }

    /**
     * Takes {@code exchange}'s request out of the wait for a connection, if it is still waiting: it
     * is then never sent, and {@code exchange} is never told anything. Must be called on {@code loop}.
     *
     * @return whether it was waiting (false: it is with EE2, or done, and will be reported as usual)
     */
    public boolean withdraw(EventLoop loop, UpstreamExchange exchange) {
        return pools.get(loop).withdraw(exchange);
    }

    /**
     * Whether a request sent on {@code loop} now would wait for a connection (every one open and
     * busy). Must be called on {@code loop}.
     */
    public boolean wouldWait(EventLoop loop) {
        LoopPool p = pools.get(loop);
        return p.idle.isEmpty() && p.open >= maxConnections;
    }

    /** The bound on open connections over all loops. */
    public int maxConnections() {
        return maxConnections * pools.size();
    }

    /** Open connections to EE2 across all loops (for the metrics gauge; approximate while traffic flows). */
    public int openConnections() {
        int n = 0;
        for (LoopPool p : pools.values()) {
            n += p.open;
        }
        return n;
    }

    /** Connections carrying a request (or being opened for one) across all loops (approximate, for a gauge). */
    public int connectionsInUse() {
        int n = 0;
        for (LoopPool p : pools.values()) {
            n += p.open - p.idleCount;
        }
        return n;
    }

    /** Requests waiting for a connection across all loops (approximate, for a gauge). */
    public int waiting() {
        int n = 0;
        for (LoopPool p : pools.values()) {
            n += p.waitingCount;
        }
        return n;
    }

    /** A request waiting for a connection, and since when (System.nanoTime()). */
    private record Waiter(Ee2Request request, UpstreamExchange exchange, long since) {}

    /** One event loop's connections. Touched only on that loop's thread (but for the gauges' reads). */
    private final class LoopPool {
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final ArrayDeque<Channel> idle = new ArrayDeque<>();
        /** In arrival order; keyed by exchange (identity: no exchange overrides equals) so a leaving client's is found at once. */
        private final LinkedHashMap<UpstreamExchange, Waiter> waiting = new LinkedHashMap<>();
        /**
         * Fires when the oldest waiter's time is up. One timer for the whole list, not one per
         * waiter: everyone waits the same time, so the oldest always expires first.
         */
        private ScheduledFuture<?> waitTimer;
        private int open;
        private volatile int idleCount;
        private volatile int waitingCount;

        LoopPool(EventLoop loop, Bootstrap bootstrap) {
            this.loop = loop;
            this.bootstrap = bootstrap;
        }

        void send(Ee2Request request, UpstreamExchange exchange) {
            Channel ch;
            while ((ch = idle.pollLast()) != null) {
                idleCount = idle.size();
                if (handler(ch).reusable()) {
                    write(ch, request, exchange);
                    return;
                }
                ch.close();
            }
            if (open < maxConnections) {
                connect(request, exchange);
            } else if (waiting.size() < maxWaiting) {
                waiting.put(exchange, new Waiter(request, exchange, System.nanoTime()));
                waitingCount = waiting.size();
                if (waitTimer == null) {
                    waitTimer = loop.schedule(this::waitTimerFired, maxWaitNanos, TimeUnit.NANOSECONDS);
                }
            } else {
                request.release();
                exchange.onFailure(new UpstreamFailure(UpstreamFailure.Kind.POOL_EXHAUSTED,
                        maxConnections + " connections busy and " + maxWaiting + " requests waiting on this thread"));
            }
        }

        boolean withdraw(UpstreamExchange exchange) {
            Waiter w = waiting.remove(exchange);
            if (w == null) {
                return false;
            }
            waitingCount = waiting.size();
            w.request().release();
            metrics.upstreamWaited(System.nanoTime() - w.since());
            metrics.upstreamWaitWithdrawn();
            return true;
        }

        /** The oldest waiter, out of the list, its wait recorded; null if none. */
        private Waiter nextWaiter() {
            Iterator<Waiter> it = waiting.values().iterator();
            if (!it.hasNext()) {
                return null;
            }
            Waiter w = it.next();
            it.remove();
            waitingCount = waiting.size();
            metrics.upstreamWaited(System.nanoTime() - w.since());
            return w;
        }

        /**
         * Fails, unsent, every waiter whose time is up, oldest first; then waits for the next one's.
         * Each is taken out before it is told: telling it may bring that connection's next request
         * here at once.
         */
        private void waitTimerFired() {
            waitTimer = null;
            while (!waiting.isEmpty()) {
                Waiter w = waiting.values().iterator().next();
                long left = w.since() + maxWaitNanos - System.nanoTime();
                if (left > 0) {
                    if (waitTimer == null) {
                        waitTimer = loop.schedule(this::waitTimerFired, left, TimeUnit.NANOSECONDS);
                    }
                    return;
                }
                nextWaiter();
                w.request().release();
                w.exchange().onFailure(new UpstreamFailure(UpstreamFailure.Kind.WAIT_TIMEOUT,
                        "no connection came free within " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms"));
            }
        }

        private void connect(Ee2Request request, UpstreamExchange exchange) {
            open++;
            ChannelFuture f = bootstrap.connect();
            f.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    open--;
                    request.release();
                    exchange.onFailure(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, reason(done.cause())));
                    sendNextWaiting();
                    return;
                }
                Channel ch = done.channel();
                ch.closeFuture().addListener(closed -> {
                    open--;
                    if (idle.remove(ch)) {
                        idleCount = idle.size();
                    }
                    sendNextWaiting();
                });
                write(ch, request, exchange);
            });
        }

        private void write(Channel ch, Ee2Request request, UpstreamExchange exchange) {
            handler(ch).begin(new UpstreamExchange() {
                @Override
                public void onResponse(Ee2Response response) {
                    boolean keepAlive = response.keepAlive();
                    exchange.onResponse(response);
                    giveBack(ch, keepAlive);
                }

                @Override
                public void onFailure(UpstreamFailure failure) {
                    exchange.onFailure(failure);
                    ch.close();
                }
            }, request.method());
            exchange.sending();
            ch.write(request.head(), ch.voidPromise());
            ch.writeAndFlush(request.body(), ch.voidPromise());
        }

        private void giveBack(Channel ch, boolean keepAlive) {
            if (!keepAlive || !handler(ch).reusable() || !sentWhole(ch)) {
                ch.close();
                return;
            }
            Waiter next = nextWaiter();
            if (next != null) {
                write(ch, next.request(), next.exchange());
            } else {
                idle.addLast(ch);
                idleCount = idle.size();
            }
        }

        private void sendNextWaiting() {
            if (open < maxConnections) {
                Waiter next = nextWaiter();
                if (next != null) {
                    connect(next.request(), next.exchange());
                }
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
