package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A KBase SDK client, asynchronous: POSTs a JSON-RPC 1.1 call with the raw token in
 * Authorization and waits up to 1800 s, the real clients' timeout (a proxy may hold a child's
 * run_job that long). An HTTP 500 with {@code application/json} becomes {@link Ee2CallError}
 * carrying EE2's error object, as the SDK's ServerError does.
 *
 * <p>Netty underneath: a few event-loop threads for any number of calls, each call on a
 * keep-alive connection of its own while it waits (a held call keeps one open, as a real
 * client's does), connections handed back to a per-address pool when answered and closed after
 * {@value #IDLE_CLOSE_SECONDS} s unused. Answers complete on those threads, so whoever chains
 * work on a returned future must not block. (The JDK's {@code HttpClient} completes every
 * {@code sendAsync} on a fresh thread on machines with two cores or fewer, and its pool
 * bookkeeping is linear in the connections it keeps: thousands of polling parents and runners
 * spent more time there than in EE2's work.)
 */
public final class Ee2Client implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(1800);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MILLIS = 30_000;
    /** Large snapshots of long runs come back through here too. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
    /** Unused connections kept per address; one more is closed instead of kept. */
    private static final int MAX_IDLE_PER_ADDRESS = 256;
    /** Below the proxy's client idle timeout (60 s), so a kept connection is never one it just closed. */
    static final long IDLE_CLOSE_SECONDS = 30;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<Origin, Pool> pools = new ConcurrentHashMap<>();
    /** Exchanges still waiting for an answer (a proxy may hold one for many minutes). */
    private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile SslContext ssl;

    /** A client on {@code threads} daemon event-loop threads named {@code name-...}. */
    public Ee2Client(String name, int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
    }

    /**
     * Calls {@code method} with positional {@code params}; completes with {@code result[0]} (null
     * for none). Cancelling the returned future abandons the exchange and closes its connection,
     * so a proxy holding the call sees the client go away.
     *
     * @throws IllegalArgumentException at once for a URL that is not http(s) or a token that is
     *     not a legal header value, as the JDK's client does
     */
    public CompletableFuture<JsonNode> call(URI url, String token, String method, JsonNode... params) {
        return call(url, token, Map.of(), method, params);
    }

    /** {@link #call(URI, String, String, JsonNode...)} with {@code headers} added to the request. */
    public CompletableFuture<JsonNode> call(URI url, String token, Map<String, String> headers, String method,
            JsonNode... params) {
        ObjectNode body = JSON.createObjectNode();
        body.put("method", method);
        ArrayNode ps = body.putArray("params");
        for (JsonNode p : params) {
            ps.add(p);
        }
        body.put("version", "1.1");
        body.put("id", Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L)));
        Origin origin = Origin.of(url);
        byte[] bytes = bytes(body);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, origin.target(url),
                Unpooled.wrappedBuffer(bytes));
        HttpHeaders h = req.headers();
        h.set(HttpHeaderNames.HOST, origin.hostHeader());
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        h.set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (token != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, token);
        }
        headers.forEach(h::set);
        Exchange ex = new Exchange(method, req);
        inFlight.add(ex);
        ex.answer.whenComplete((r, e) -> ex.ended());
        Channel pooled = pool(origin).take();
        if (pooled != null) {
            ex.send(pooled);
        } else {
            connect(origin).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    ex.send(f.channel());
                } else {
                    req.release();
                    ex.fail(f.cause());
                }
            });
        }
        return ex.answer;
    }

    /**
     * Abandons every exchange still waiting: a reset run's parents must not create jobs in the
     * next run when a held call is finally answered.
     */
    public void cancelAll() {
        for (Exchange ex : inFlight) {
            ex.answer.cancel(true);
        }
    }

    /** Connections this client has opened so far (tests check that calls reuse them). */
    public int connectionsOpened() {
        return opened.get();
    }

    /** Abandons what is in flight and stops the event-loop threads. */
    @Override
    public void close() {
        cancelAll();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    private Pool pool(Origin origin) {
        return pools.computeIfAbsent(origin, o -> new Pool());
    }

    private ChannelFuture connect(Origin origin) {
        opened.incrementAndGet();
        return bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) throws SSLException {
                if (origin.tls()) {
                    SSLEngine engine = sslContext().newEngine(ch.alloc(), origin.host(), origin.port());
                    SSLParameters p = engine.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    engine.setSSLParameters(p);
                    ch.pipeline().addLast(new SslHandler(engine));
                }
                ch.pipeline().addLast(new HttpClientCodec());
                ch.pipeline().addLast(new HttpObjectAggregator(MAX_RESPONSE_BYTES));
                ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_CLOSE_SECONDS, TimeUnit.SECONDS));
                ch.pipeline().addLast(new AnswerHandler(origin));
            }
        }).connect(origin.host(), origin.port());
    }

    private SslContext sslContext() throws SSLException {
        SslContext s = ssl;
        if (s == null) {
            synchronized (this) {
                if (ssl == null) {
                    ssl = SslContextBuilder.forClient().build();
                }
                s = ssl;
            }
        }
        return s;
    }

    /** Where a call goes: one pool of connections per scheme, host and port. */
    private record Origin(boolean tls, String host, int port) {
        static Origin of(URI url) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL: " + url);
            }
            boolean tls = scheme.equals("https");
            String host = url.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Origin(tls, host, url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80);
        }

        String hostHeader() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return port == (tls ? 443 : 80) ? h : h + ":" + port;
        }

        String target(URI url) {
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        }
    }

    /** Answered keep-alive connections to one origin, most recently used last. */
    private static final class Pool {
        private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger size = new AtomicInteger();

        Channel take() {
            Channel ch;
            while ((ch = idle.pollLast()) != null) {
                size.decrementAndGet();
                if (ch.isActive()) {
                    return ch;
                }
                ch.close();
            }
            return null;
        }

        void giveBack(Channel ch) {
            if (size.incrementAndGet() > MAX_IDLE_PER_ADDRESS) {
                size.decrementAndGet();
                ch.close();
                return;
            }
            idle.addLast(ch);
        }

        /**
         * Takes {@code ch} out if it is kept here: true for exactly one of this and a concurrent
         * {@link #take()}, so a connection closed for idleness is never one a call just took.
         */
        boolean remove(Channel ch) {
            if (idle.removeFirstOccurrence(ch)) {
                size.decrementAndGet();
                return true;
            }
            return false;
        }
    }

    /**
     * One call: its request until sent, its connection while it waits, its answer. Whoever
     * claims it first (the answer, a failure, the timeout, a cancel) decides what becomes of the
     * connection, so a cancel racing an answer never closes a connection already handed back.
     */
    private final class Exchange {
        final String method;
        final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        private final AtomicBoolean claimed = new AtomicBoolean();
        private FullHttpRequest request;
        private volatile Channel channel;
        private volatile ScheduledFuture<?> timeout;

        Exchange(String method, FullHttpRequest request) {
            this.method = method;
            this.request = request;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void send(Channel ch) {
            channel = ch;
            FullHttpRequest r = request;
            request = null;
            if (answer.isDone()) { // cancelled while the connection was being made
                r.release();
                ch.close();
                return;
            }
            ((AnswerHandler) ch.pipeline().last()).current = this;
            timeout = ch.eventLoop().schedule(() -> {
                if (fail(new HttpTimeoutException("request timed out"))) {
                    ch.close();
                }
            }, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ch.writeAndFlush(r).addListener((ChannelFuture f) -> {
                if (!f.isSuccess() && fail(f.cause())) {
                    ch.close();
                }
            });
        }

        boolean fail(Throwable cause) {
            return claim() && answer.completeExceptionally(cause);
        }

        /** Whatever ended it: a cancelled call closes its connection, so a proxy sees the client go. */
        void ended() {
            inFlight.remove(this);
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            if (answer.isCancelled() && claim()) {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }

    /** The last handler of every connection: completes the exchange it carries. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Origin origin;
        volatile Exchange current;

        AnswerHandler(Origin origin) {
            this.origin = origin;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.channel().closeFuture().addListener(f -> pool(origin).remove(ctx.channel()));
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
            Exchange ex = current;
            current = null;
            if (ex == null || !ex.claim()) {
                ctx.close(); // an answer nobody waits for any more: this connection is out of step
                return;
            }
            JsonNode result = null;
            RuntimeException error = null;
            try {
                result = result(ex.method, res);
            } catch (RuntimeException e) {
                error = e;
            }
            // Back to the pool before the caller's continuations run, so their next call reuses it.
            if (HttpUtil.isKeepAlive(res)) {
                pool(origin).giveBack(ctx.channel());
            } else {
                ctx.close();
            }
            if (error != null) {
                ex.answer.completeExceptionally(error);
            } else {
                ex.answer.complete(result);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Exchange ex = current;
            current = null;
            if (ex != null) {
                ex.fail(new IOException("connection closed before an answer to " + ex.method));
            }
            super.channelInactive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                if (current == null && pool(origin).remove(ctx.channel())) {
                    ctx.close(); // kept unused long enough (and no call has just taken it)
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = current;
            current = null;
            if (ex != null) {
                ex.fail(cause);
            }
            ctx.close();
        }
    }

    private static JsonNode result(String method, FullHttpResponse res) {
        String type = res.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        byte[] raw = ByteBufUtil.getBytes(res.content());
        JsonNode body;
        try {
            body = raw.length == 0 ? null : JSON.readTree(raw);
        } catch (Exception e) {
            body = null;
        }
        int status = res.status().code();
        if (status == 500 && "application/json".equals(type) && body != null && body.has("error")) {
            throw new Ee2CallError(method, body.get("error"));
        }
        if (status != 200 || body == null) {
            throw new Ee2CallError(method, status);
        }
        JsonNode result = body.get("result");
        return result == null || result.isNull() || result.isEmpty() ? null : result.get(0);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
