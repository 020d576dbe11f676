package us.kbase.ee2proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /**
     * A request as the upstream received it.
     *
     * @param head the bytes of its head as they arrived (request line to the blank line), for asserting
     *     what crossed byte for byte; null if they could not be told apart (a chunked request)
     */
    public record Received(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body, int connection,
            byte[] head) {
        public String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .reduce((a, b) -> a + "|" + b).orElse(null);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The head's bytes as ISO-8859-1 text: one character per byte. */
        public String headText() {
            return head == null ? null : new String(head, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * The bytes a connection received, in front of the HTTP codec, so each request's head can be
     * taken as it arrived. Heads are told apart by their blank line and the body after each by its
     * Content-Length, which every request the proxy sends has.
     */
    private static final class RawBytes extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes) {
                pending.writeBytes(ByteBufUtil.getBytes(bytes));
            }
            ctx.fireChannelRead(msg);
        }

        /** The head of the request just decoded, whose body had {@code bodyLength} bytes; null if not found. */
        byte[] takeHead(int bodyLength) {
            byte[] all = pending.toByteArray();
            for (int i = 0; i + 3 < all.length; i++) {
                if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
                    int used = Math.min(all.length, i + 4 + bodyLength);
                    pending.reset();
                    pending.write(all, used, all.length - used);
                    return Arrays.copyOf(all, i + 4);
                }
            }
            return null;
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
                        RawBytes raw = new RawBytes();
                        ch.pipeline().addLast(raw, new HttpServerCodec(), new HttpObjectAggregator(64 * 1024 * 1024),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        received.add(new Received(req.method().name(), req.uri(),
                                                List.copyOf(req.headers().entries()), ByteBufUtil.getBytes(req.content()),
                                                connection, raw.takeHead(req.content().readableBytes())));
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
