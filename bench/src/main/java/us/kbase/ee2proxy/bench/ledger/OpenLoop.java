package us.kbase.ee2proxy.bench.ledger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import us.kbase.ee2proxy.frontend.Transport;

/**
 * An open-loop HTTP/1.1 load: requests are due at a fixed rate whatever the answers do, and each
 * one's latency is measured from when it was DUE (its intended send time), not from when a
 * connection was free to send it, so a stall counts against every request it delays (no
 * coordinated omission). A due request goes out on an idle keep-alive connection; with none idle it
 * waits in a queue, its clock running. Everything runs on one event loop thread: no locks.
 */
final class OpenLoop implements AutoCloseable {
    /** Where one connection sends, and what (raw HTTP bytes: one user's run_job). */
    record Target(URI uri, byte[] request) {}

    /**
     * @param fromIntended microseconds from each request's intended send time to its answer
     * @param lateSends requests sent more than 1 ms after they were due (the load or the
     *     connections could not keep up: the rate was not offered as asked)
     */
    record Result(long answered, long errors, long lateSends, double seconds, Histogram fromIntended) {
        double perSecond() {
            return answered / seconds;
        }
    }

    private final Transport transport = Transport.best();
    private final EventLoopGroup group = transport.newGroup(1, "open-loop");
    private final EventLoop loop = group.next();

    /**
     * Offers {@code rate} requests a second for {@code duration} over {@code targets} (one
     * connection each), then waits for the answers (at most 30 s more).
     */
    Result run(List<Target> targets, double rate, Duration duration) throws Exception {
        Run run = new Run(rate, duration);
        List<Channel> channels = new ArrayList<>();
        for (Target t : targets) {
            Connection c = new Connection(run, Unpooled.unreleasableBuffer(
                    Unpooled.directBuffer(t.request().length).writeBytes(t.request())));
            Channel ch = new Bootstrap().group(loop).channel(transport.clientChannel()).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20), c);
                        }
                    })
                    .connect(t.uri().getHost(), t.uri().getPort()).sync().channel();
            channels.add(ch);
        }
        loop.execute(run::start);
        try {
            return run.done.get(duration.toSeconds() + 30, TimeUnit.SECONDS);
        } finally {
            channels.forEach(Channel::close);
        }
    }

    /** One run's state: touched only on the loop's thread. */
    private final class Run {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        final Histogram fromIntended = new Histogram(3);
        final ArrayDeque<Long> due = new ArrayDeque<>();
        final ArrayDeque<Connection> idle = new ArrayDeque<>();
        final double intervalNanos;
        final long durationNanos;
        long start;
        long issued;
        long inFlight;
        long answered;
        long errors;
        long late;
        ScheduledFuture<?> ticks;

        Run(double rate, Duration duration) {
            this.intervalNanos = 1e9 / rate;
            this.durationNanos = duration.toNanos();
        }

        void start() {
            start = System.nanoTime();
            ticks = loop.scheduleAtFixedRate(this::tick, 0, 200, TimeUnit.MICROSECONDS);
        }

        /** Queues every request due by now, and sends what idle connections can take. */
        void tick() {
            long now = System.nanoTime();
            long total = (long) (durationNanos / intervalNanos);
            while (issued < total) {
                long intended = start + (long) (issued * intervalNanos);
                if (intended > now) {
                    break;
                }
                due.add(intended);
                issued++;
            }
            dispatch(now);
            if (issued >= total) {
                ticks.cancel(false);
                finishIfDone();
            }
        }

        void dispatch(long now) {
            while (!due.isEmpty() && !idle.isEmpty()) {
                long intended = due.poll();
                if (now - intended > 1_000_000) {
                    late++;
                }
                inFlight++;
                idle.poll().send(intended);
            }
        }

        /** @param c null when the connection closed: it takes no more requests */
        void answered(Connection c, long intended, boolean ok) {
            long now = System.nanoTime();
            fromIntended.recordValue(Math.max(1, (now - intended) / 1000));
            inFlight--;
            if (ok) {
                answered++;
            } else {
                errors++;
            }
            if (c != null) {
                idle.add(c);
            }
            dispatch(now);
            finishIfDone();
        }

        void finishIfDone() {
            long total = (long) (durationNanos / intervalNanos);
            if (issued >= total && due.isEmpty() && inFlight == 0 && !done.isDone()) {
                double seconds = (System.nanoTime() - start) / 1e9;
                done.complete(new Result(answered, errors, late, seconds, fromIntended));
            }
        }
    }

    /** One keep-alive connection: one request at a time. */
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Run run;
        private final ByteBuf request;
        private volatile Channel channel;
        private long intended;
        private boolean busy;

        Connection(Run run, ByteBuf request) {
            this.run = run;
            this.request = request;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            run.idle.add(this);
        }

        void send(long intendedAt) {
            intended = intendedAt;
            busy = true;
            channel.writeAndFlush(request.duplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            busy = false;
            run.answered(this, intended, response.status().code() == 200);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            run.idle.remove(this);
            if (busy) {
                busy = false;
                run.answered(null, intended, false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
