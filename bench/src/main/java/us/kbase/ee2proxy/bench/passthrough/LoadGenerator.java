package us.kbase.ee2proxy.bench.passthrough;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import us.kbase.ee2proxy.frontend.Transport;

/**
 * A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the same
 * request again as soon as the previous answer arrived, for a fixed time. Latency is recorded per
 * connection in an HdrHistogram (microseconds) and merged at the end.
 */
public final class LoadGenerator implements AutoCloseable {
    private final Transport transport = Transport.best();
    private final EventLoopGroup group;

    public LoadGenerator(int threads) {
        this.group = transport.newGroup(threads, "load");
    }

    /** What one run measured. */
    public record Result(long requests, long errors, double seconds, Histogram latencyMicros) {
        public double requestsPerSecond() {
            return requests / seconds;
        }
    }

    /** Runs {@code connections} loops of {@code request} (raw HTTP bytes) against {@code target} for {@code duration}. */
    public Result run(URI target, byte[] request, int connections, Duration duration) throws InterruptedException {
        ByteBuf template = Unpooled.unreleasableBuffer(Unpooled.directBuffer(request.length).writeBytes(request));
        long deadline = System.nanoTime() + duration.toNanos();
        CountDownLatch finished = new CountDownLatch(connections);
        List<Loop> loops = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            Loop loop = new Loop(template, deadline, finished);
            loops.add(loop);
            new Bootstrap().group(group).channel(transport.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // Requests go out as prepared bytes; only responses need decoding.
                            ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(16 * 1024 * 1024), loop);
                        }
                    })
                    .connect(target.getHost(), target.getPort())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            loop.errors++;
                            finished.countDown();
                        }
                    });
        }
        if (!finished.await(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connections did not finish in time");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram merged = new Histogram(3);
        long requests = 0;
        long errors = 0;
        for (Loop loop : loops) {
            merged.add(loop.histogram);
            requests += loop.requests;
            errors += loop.errors;
        }
        return new Result(requests, errors, seconds, merged);
    }

    /** One connection's request loop. */
    private static final class Loop extends SimpleChannelInboundHandler<FullHttpResponse> {
        final Histogram histogram = new Histogram(3);
        private final ByteBuf template;
        private final long deadline;
        private final CountDownLatch finished;
        long requests;
        long errors;
        private long sentAt;
        private boolean done;

        Loop(ByteBuf template, long deadline, CountDownLatch finished) {
            this.template = template;
            this.deadline = deadline;
            this.finished = finished;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx.channel());
        }

        private void send(Channel ch) {
            sentAt = System.nanoTime();
            ch.writeAndFlush(template.duplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            histogram.recordValue(Math.max(1, (now - sentAt) / 1000));
            if (response.status().code() == 200) {
                requests++;
            } else {
                errors++;
            }
            if (now < deadline) {
                send(ctx.channel());
            } else {
                finish(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!done) {
                errors++;
                finish(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors++;
            ctx.close();
        }

        private void finish(ChannelHandlerContext ctx) {
            if (!done) {
                done = true;
                finished.countDown();
                ctx.close();
            }
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
