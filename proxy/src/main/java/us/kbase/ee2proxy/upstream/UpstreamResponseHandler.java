package us.kbase.ee2proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The last handler of a pooled upstream connection: hands EE2's response (or the reason there is
 * none) to the one exchange in progress. A connection carries one request at a time; a
 * connection that failed, timed out or said {@code Connection: close} is never reused, nor one whose
 * state the proxy can no longer be sure of: after a CONNECT (a 2xx turns it into a tunnel), a
 * {@code 101 Switching Protocols}, or any other interim (1xx) response but {@code 100 Continue}.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    private final long responseTimeoutNanos;
    private ChannelHandlerContext ctx;
    private ResponseReader reader;
    private UpstreamExchange exchange;
    /** When the exchange in progress times out (System.nanoTime()). */
    private long deadline;
    /**
     * The connection's one response timer, pending at most once. It is not scheduled and cancelled
     * per request (a task allocated, put in and taken out of the event loop's queue each time): it
     * stays pending across exchanges, and when it fires early for a later exchange it waits for
     * the rest of that exchange's time; so a timeout still fires the response timeout after its
     * request was sent.
     */
    private ScheduledFuture<?> timer;
    private boolean reusable = true;

    UpstreamResponseHandler(long responseTimeoutNanos) {
        this.responseTimeoutNanos = responseTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.reader = (ResponseReader) ctx.pipeline().get(UpstreamInitializer.RESPONSE_READER);
    }

    /** Starts waiting for the response to a request of {@code method} about to be written. On the event loop. */
    void begin(UpstreamExchange next, HttpMethod method) {
        exchange = next;
        if (HttpMethod.CONNECT.equals(method)) {
            reusable = false; // whatever EE2 answers, the codec may now read the connection as a tunnel
        }
        reader.expect(method);
        deadline = System.nanoTime() + responseTimeoutNanos;
        if (timer == null) {
            timer = ctx.executor().schedule(this::timerFired, responseTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    boolean reusable() {
        return reusable && exchange == null && ctx.channel().isActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange == null) {
            // Nothing asked for this: a stray response (or a 1xx we never requested).
            if (msg instanceof Ee2Response stray) {
                stray.release();
            }
            reusable = false;
            ctx.close();
            return;
        }
        if (msg instanceof ResponseReader.Interim interim) {
            interim(ctx, interim.status());
            return;
        }
        Ee2Response response = (Ee2Response) msg;
        UpstreamExchange done = finish();
        done.onResponse(response);
    }

    /**
     * A 1xx before the final answer. {@code 100 Continue} may come unasked and changes nothing; 101
     * means what follows is no longer HTTP the proxy can read: the call fails and the connection
     * closes. Any other (102, 103, unknown) is waited past, but the connection is not reused after.
     */
    private void interim(ChannelHandlerContext ctx, int code) {
        if (code == 100) {
            return;
        }
        reusable = false;
        if (code == 101) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.BAD_RESPONSE, "it switched protocols (101) on a call"));
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reusable = false;
        if (timer != null) {
            timer.cancel(false); // a closed connection is not kept (referenced from the timer queue) until it fires
            timer = null;
        }
        fail(new UpstreamFailure(UpstreamFailure.Kind.CLOSED, "the connection closed before the response was complete"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reusable = false;
        if (cause instanceof ResponseHead.Unreadable) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.BAD_RESPONSE, cause.getMessage()));
        } else if (cause instanceof TooLongFrameException) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.RESPONSE_TOO_LARGE, cause.getMessage()));
        } else if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "TLS failed: " + rootMessage(cause)));
        } else {
            fail(new UpstreamFailure(UpstreamFailure.Kind.CLOSED, rootMessage(cause)));
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            // An unused pooled connection: close it before EE2's own keep-alive timeout does, so
            // the proxy never writes a request into a connection EE2 is closing.
            reusable = false;
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void timerFired() {
        timer = null;
        if (exchange == null) {
            return; // the next exchange starts the timer again
        }
        long left = deadline - System.nanoTime();
        if (left > 0) { // the exchange that timer was set for ended; this one has time left
            timer = ctx.executor().schedule(this::timerFired, left, TimeUnit.NANOSECONDS);
            return;
        }
        timedOut();
    }

    private void timedOut() {
        if (exchange != null) {
            reusable = false;
            fail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no complete response in time"));
            ctx.close();
        }
    }

    private void fail(UpstreamFailure failure) {
        if (exchange != null) {
            finish().onFailure(failure);
        }
    }

    private UpstreamExchange finish() {
        UpstreamExchange done = exchange;
        exchange = null;
        return done;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return msg == null ? root.getClass().getSimpleName() : msg;
    }
}
