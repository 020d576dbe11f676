package us.kbase.ee2proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable HTTP server standing in for EE2 where a test needs EE2 to misbehave (refuse, stall,
 * close mid-response) or needs to see exactly what the proxy sent. Records every request.
 */
public final class TestUpstream implements AutoCloseable {

    /** What the upstream does with one request. */
    @FunctionalInterface
    public interface Behaviour {
        void answer(ChannelHandlerContext ctx, FullHttpRequest request);
    }

    /** A request as the upstream received it. */
    public record Received(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body, int connection) {
        public String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .reduce((a, b) -> a + "|" + b).orElse(null);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Answers 200 with an EE2-like success body and headers. */
    public static final Behaviour EE2_OK = (ctx, req) -> ctx.writeAndFlush(json(HttpResponseStatus.OK,
            "{\"version\": \"1.1\", \"result\": [\"ok\"], \"id\": \"1\"}"));

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Channel channel;
    private final boolean tls;
    private volatile Behaviour behaviour;

    public TestUpstream(Behaviour behaviour) throws InterruptedException {
        this(behaviour, null);
    }

    public TestUpstream(Behaviour behaviour, SslContext tlsContext) throws InterruptedException {
        this.behaviour = behaviour;
        this.tls = tlsContext != null;
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int connection = connections.incrementAndGet();
                        if (tlsContext != null) {
                            ch.pipeline().addLast(tlsContext.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024 * 1024),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        received.add(new Received(req.method().name(), req.uri(),
                                                List.copyOf(req.headers().entries()), ByteBufUtil.getBytes(req.content()),
                                                connection));
                                        TestUpstream.this.behaviour.answer(ctx, req);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public void behave(Behaviour next) {
        this.behaviour = next;
    }

    public URI url() {
        return URI.create((tls ? "https://localhost:" : "http://127.0.0.1:") + port() + "/");
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The next request the upstream received, waiting up to 10 s. */
    public Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the upstream received no request within 10 s");
        }
        return r;
    }

    /** A request received within {@code millis}, or null: for asserting that nothing arrived. */
    public Received poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    public int connections() {
        return connections.get();
    }

    public static FullHttpResponse json(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().add("Access-Control-Allow-Origin", "*");
        r.headers().add("Access-Control-Allow-Headers", "authorization");
        r.headers().add("content-type", "application/json");
        r.headers().add("content-length", bytes.length);
        return r;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
