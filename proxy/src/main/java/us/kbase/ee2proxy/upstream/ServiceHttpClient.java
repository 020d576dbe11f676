package us.kbase.ee2proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
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
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.frontend.Transport;

/**
 * The proxy's own HTTP calls: auth2's token lookups, and the EE2 calls of the reconciler and of
 * retry lookups. Pooled keep-alive connections to one service on Netty.
 *
 * <p>Not the JDK's HttpClient: on two cores its async calls complete through CompletableFuture's
 * default executor, which there starts a new thread per task (measured with JFR: ~1,800 threads
 * started in 7 s of auth2 cache misses). Not the front end's {@link UpstreamPool} either, so a slow
 * reconcile never takes a connection a client's call needs.
 *
 * <p>Every client shares one event-loop thread (these calls are few and small). Answers complete on
 * a small callback pool, never on that loop, so what callers chain on them may wait briefly without
 * stalling other calls' I/O. Every call ends within its timeout, connect and all: with an answer,
 * or with an {@link IOException} or {@link TimeoutException}.
 */
public final class ServiceHttpClient {
    /** An HTTP answer of any status; the caller decides what it means. */
    public record Answer(int status, byte[] body) {}

    private static final EventLoopGroup LOOP = Transport.best().newGroup(1, "ee2proxy-service-io");
    private static final Executor CALLBACKS = callbackPool();
    private static final AttributeKey<Call> CALL = AttributeKey.valueOf("ee2proxy.serviceCall");
    private static final AttributeKey<Boolean> USED = AttributeKey.valueOf("ee2proxy.serviceConnectionUsed");
    private static final int MAX_WAITING_CALLS = 4096;

    private final UpstreamConfig service;
    private final Duration timeout;
    private final FixedChannelPool pool;

    /**
     * @param service the service's URL and TLS trust; its {@code maxConnectionsPerLoop} bounds the
     *     open connections and {@code poolIdleTimeout} closes idle ones
     * @param timeout bound on one call, from {@link #send} to the last byte of the answer
     * @param maxAnswerBytes a longer answer body fails the call
     */
    public ServiceHttpClient(UpstreamConfig service, Duration timeout, int maxAnswerBytes) {
        this.service = service;
        this.timeout = timeout;
        SslContext tls = UpstreamTls.context(service);
        Bootstrap bootstrap = new Bootstrap()
                .group(LOOP)
                .channel(Transport.best().clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .remoteAddress(service.host(), service.port());
        long idleMillis = service.poolIdleTimeout().toMillis();
        this.pool = new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), service.host(), service.port()));
                }
                ch.pipeline().addLast(new HttpClientCodec(),
                        new HttpObjectAggregator(maxAnswerBytes),
                        new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                        new AnswerReader());
            }
        }, ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL, timeout.toMillis(),
                Math.max(1, service.maxConnectionsPerLoop()), MAX_WAITING_CALLS, true, true);
    }

    /** The service's path for {@code relative} (e.g. {@code api/V2/token}), as a request target. */
    public String target(String relative) {
        String path = service.url().resolve(relative).getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** The service URL's own path and query: where a JSON-RPC service such as EE2 is posted to. */
    public String target() {
        String path = service.url().getRawPath();
        String query = service.url().getRawQuery();
        return (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    /**
     * Sends one request; {@code headers} are validated as HTTP header names and values (an
     * IllegalArgumentException, thrown at once, names the bad one). Only for idempotent calls: a
     * request whose reused keep-alive connection closes before any answer is sent once more on a
     * new one (the service may have closed it idle just as it was taken).
     */
    public CompletableFuture<Answer> send(HttpMethod method, String target, Map<String, String> headers, byte[] body) {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        headers.forEach(h::add);
        h.set(HttpHeaderNames.HOST, service.hostHeader());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        Call call = new Call(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target,
                Unpooled.wrappedBuffer(body), h, EmptyHttpHeaders.INSTANCE));
        call.deadline = LOOP.next().schedule(() -> call.fail(new TimeoutException("no answer within " + timeout.toMillis() + " ms")),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        call.acquire();
        return call.answer;
    }

    /** One request and its answer: ends exactly once, and gives each connection back exactly once. */
    private final class Call {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        final FullHttpRequest request; // this call's own reference; each write sends a retained duplicate
        ScheduledFuture<?> deadline;
        private Channel channel;
        private boolean reused;
        private boolean resent;
        private boolean ended;

        Call(FullHttpRequest request) {
            this.request = request;
        }

        void acquire() {
            pool.acquire().addListener((Future<Channel> acquired) -> {
                if (acquired.isSuccess()) {
                    start(acquired.getNow());
                } else {
                    fail(acquired.cause() instanceof IOException io ? io : new IOException(acquired.cause().toString(), acquired.cause()));
                }
            });
        }

        private synchronized void start(Channel ch) {
            if (ended) {
                pool.release(ch); // timed out while the connection was being made: it is still good
                return;
            }
            channel = ch;
            reused = ch.hasAttr(USED);
            ch.attr(USED).set(Boolean.TRUE);
            ch.attr(CALL).set(this);
            ch.writeAndFlush(request.retainedDuplicate()).addListener(written -> {
                if (!written.isSuccess()) {
                    closedEarly(ch, new IOException("cannot send to " + service.url() + ": " + written.cause(), written.cause()));
                }
            });
        }

        void answered(Answer a, boolean reusable) {
            end(reusable, () -> answer.complete(a));
        }

        void fail(Throwable error) {
            end(false, () -> answer.completeExceptionally(error));
        }

        /** {@code ch} closed, or would not take the request, before an answer. */
        void closedEarly(Channel ch, IOException error) {
            synchronized (this) {
                if (ended || channel != ch) {
                    return; // a connection this call has already left
                }
                if (reused && !resent) {
                    resent = true;
                    channel = null;
                    ch.attr(CALL).set(null);
                    ch.close();
                    pool.release(ch);
                    acquire();
                    return;
                }
            }
            fail(error);
        }

        private void end(boolean reusable, Runnable outcome) {
            Channel ch;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                ch = channel;
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
            request.release();
            if (ch != null) {
                ch.attr(CALL).set(null);
                if (!reusable) {
                    ch.close(); // a half-read answer must not be read as the next call's
                }
                pool.release(ch);
            }
            CALLBACKS.execute(outcome);
        }
    }

    /** Hands a connection's answer, failure or close to the call it carries. */
    private static final class AnswerReader extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Call call = ctx.channel().attr(CALL).get();
            if (call != null) {
                call.answered(new Answer(response.status().code(), ByteBufUtil.getBytes(response.content())),
                        HttpUtil.isKeepAlive(response));
            } else {
                ctx.close(); // an answer nobody asked for: the connection's state is unknown
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Call call = ctx.channel().attr(CALL).get();
            if (call != null) {
                call.closedEarly(ctx.channel(), new IOException("the connection closed before an answer"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Call call = ctx.channel().attr(CALL).get();
            if (call != null) {
                call.fail(cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && ctx.channel().attr(CALL).get() == null) {
                ctx.close(); // idle in the pool: the health check drops it at the next acquire
            }
        }
    }

    /** Two daemon threads that end when idle for a minute. */
    private static Executor callbackPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("ee2proxy-service-calls", true));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
