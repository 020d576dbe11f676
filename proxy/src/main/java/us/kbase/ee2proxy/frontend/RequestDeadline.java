package us.kbase.ee2proxy.frontend;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of a whole request ({@code timeouts.request}): from its first byte until it has
 * arrived whole, headers and body. Netty's idle timers restart at every byte, so a client sending
 * one byte every few seconds would keep its connection (and whatever body it has buffered)
 * forever; this deadline does not move. When it passes, {@link Expired#EVENT} goes down the
 * pipeline and the relay answers EE2-shaped and closes; an unfinished request is never forwarded.
 *
 * <p>Only time the proxy spends waiting for the request counts: while an earlier call on the same
 * connection is still being answered the proxy does not read, so a pipelined request's clock starts
 * when the relay turns to it (or at its first byte, if that comes later). The relay says when it
 * waits for a request and when one arrived ({@link #awaiting()}, {@link #arrived()}).
 *
 * <p>It sits before the HTTP codec, where bytes arrive. Like the upstream response timer, its one
 * timer is not scheduled and cancelled per request: it stays pending, and when it fires early for a
 * later request it waits out the rest of that request's time.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
    /** Fired down the pipeline when a request did not arrive whole in time. */
    enum Expired {
        EVENT
    }

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    /** The relay waits for a request (none in progress, none queued). */
    private boolean awaiting;
    /** Bytes arrived since the last whole request: a request has begun. */
    private boolean begun;
    private boolean armed;
    private long deadline;
    private ScheduledFuture<?> timer;

    RequestDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!begun) {
            begun = true;
            if (awaiting) {
                arm();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        armed = false;
        if (timer != null) {
            timer.cancel(false); // a closed connection is not kept (referenced from the timer queue) until it fires
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    /** The relay waits for the next request: a request already begun is timed from now. */
    void awaiting() {
        awaiting = true;
        if (begun && !armed) {
            arm();
        }
    }

    /** A whole request (or a refused one's stand-in) reached the relay. */
    void arrived() {
        awaiting = false;
        begun = false;
        armed = false;
    }

    private void arm() {
        armed = true;
        deadline = System.nanoTime() + timeoutNanos;
        if (timer == null) {
            timer = ctx.executor().schedule(this::fired, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void fired() {
        timer = null;
        if (!armed) {
            return; // the next request arms it again
        }
        long left = deadline - System.nanoTime();
        if (left > 0) { // set for an earlier request; this one has time left
            timer = ctx.executor().schedule(this::fired, left, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        awaiting = false;
        ctx.fireUserEventTriggered(Expired.EVENT);
    }
}
