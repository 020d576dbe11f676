package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's relay: takes one request at a time, sniffs its JSON-RPC call, asks the
 * admission gate, sends it to EE2 on a pooled connection of the same event loop (as Netty's
 * HexDumpProxy does), has the answer written back ({@link Ee2ReplyRelay}, {@link AnswerWriter}),
 * and only once that write succeeded takes the next request. That is the back-pressure (a slow
 * client is read ahead of by at most one request, a slow EE2 is never flooded) and it keeps
 * pipelined answers in order.
 *
 * <p>Where the connection stands is one {@link RelayState}: the phase of the call being answered
 * ({@code READING, DECIDING, OWN_PAGE, FORWARDED, WRITING, CLOSING}) and the client's sending side
 * ({@code OPEN, REFUSING_REST, ENDED}). The connection's ends are
 * handled here, one call's steps in {@link CallRelay}; every move is checked by RelayState's one table.
 *
 * <p>Requests sent ahead of their answers wait in order ({@link PipelinedRequests}); one past the
 * bound is refused in its turn, it and everything after it unsent, and the connection closes after
 * that answer. So every request sent to EE2 gets its answer, however deep a client pipelines.
 *
 * <p>The channel runs with AUTO_READ off; every {@code ctx.read()} here is deliberate: reading goes on
 * while a call is answered only until a request waits behind it ({@link #keepReading}). One call's
 * way from READING to WRITING (route, sniff, gate, forward) is {@link CallRelay}'s; the call's data
 * ({@link CallInProgress}) and its exchange with EE2 are per connection, so the fast path allocates
 * no per-request objects.
 *
 * <p>Ends of a connection: a client that half-closes (ALLOW_HALF_CLOSURE) gets the answers to what
 * it sent, then the connection closes; but a call still DECIDING is dropped as if the client had
 * left, since a killed client's FIN looks the same, and told why; so is a call still waiting for a
 * free connection to EE2 (never sent, its leases given back), and such a call whose client closes is
 * dropped at once. When the proxy drains, each answer closes its connection; when it closes, a call
 * DECIDING is answered "not submitted" and every connection is closed ({@link ClientConnections}).
 */
final class ClientRelay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRelay.class);
    /** How long a refused client may go on sending before the connection is closed under it. */
    private static final long LINGER_SECONDS = 2;

    private final Relay relay;
    private final RequestDeadline deadline;
    private final BodyBudget.Account bodies;
    private final String clientIp;
    private final PipelinedRequests pipelined;
    private final CallInProgress call = new CallInProgress();
    private final RelayState state = new RelayState();
    private ChannelHandlerContext ctx;
    private Ee2ReplyRelay ee2Replies;
    private AnswerWriter answers;
    private CallRelay calls;

    /**
     * @param deadline the connection's request deadline, told when this waits for a request and when one arrived
     * @param bodies the connection's share of the body budget, told when a request is taken and let go of
     * @param clientIp the client's address as text ({@link UpstreamRequests#clientIp}, computed once per connection)
     */
    ClientRelay(Relay relay, RequestDeadline deadline, BodyBudget.Account bodies, String clientIp) {
        this.relay = relay;
        this.deadline = deadline;
        this.bodies = bodies;
        this.clientIp = clientIp;
        this.pipelined = new PipelinedRequests(relay.config().limits().maxPipelinedRequests(), bodies);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ee2Replies = new Ee2ReplyRelay(relay, call, ctx.channel(), this);
        this.answers = new AnswerWriter(relay, call, state, ctx, this);
        this.calls = new CallRelay(relay, call, state, ctx, this, clientIp);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        bodies.close(); // done in channelInactive; this covers a channel that never became active
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        relay.metrics().connectionOpened();
        deadline.awaiting();
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.metrics().connectionClosed();
        pipelined.discardAll();
        switch (state.phase()) {
            case READING -> state.to(RelayState.Phase.CLOSING);
            case DECIDING -> {
                // The gate drops a held request when it sees this; the verdict, whatever it is, is
                // never acted on, and the request is no longer in flight.
                call.abandonVerdict();
                finishCall(RelayState.Phase.CLOSING);
            }
            case FORWARDED -> {
                if (relay.pool().withdraw(ctx.channel().eventLoop(), ee2Replies)) {
                    // Still waiting for a free connection to EE2: never sent, so its leases go back.
                    ee2Replies.takeBack();
                    finishCall(RelayState.Phase.CLOSING);
                }
                // Else already sent to EE2: it stays in flight, since its answer still matters to
                // whoever observes it (job tracking), and is then dropped (Ee2ReplyRelay).
            }
            default -> {
                // OWN_PAGE and WRITING end when their page or write completes; CLOSING has no call.
            }
        }
        // Every request the codec could still deliver has been delivered by now (this is the last
        // handler), so what was reserved for an unfinished body can be given back.
        bodies.close();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg); // bytes no longer decoded (FrontendInitializer.stopDecoding)
            return;
        }
        deadline.arrived();
        bodies.received(request);
        if (!state.takesRequests()) {
            pipelined.discard(request);
        } else if (!state.callInProgress()) {
            calls.handle(request);
            keepReading();
        } else if (!pipelined.queue(request)) {
            // One too many: refused in its turn, and nothing after it is even decoded, so no call
            // is ever forwarded whose answer would be dropped.
            state.input(RelayState.Input.REFUSING_REST);
            FrontendInitializer.stopDecoding(ctx.pipeline());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Idle only counts between requests: a held request may wait for minutes, and one
            // waiting on EE2 is bounded by the response timeout instead.
            if (state.is(RelayState.Phase.READING)) {
                closeNow();
            } else if (state.is(RelayState.Phase.CLOSING) && pipelined.isEmpty()) {
                ctx.close(); // lingering after a refusal: idle means the client stopped sending
            }
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown();
        } else if (evt == ClientConnections.Closing.EVENT) {
            proxyClosing();
        } else if (evt == RequestDeadline.Expired.EVENT) {
            requestExpired();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** The client half-closed, or went away with a FIN: the two look the same. */
    private void inputShutdown() {
        state.input(RelayState.Input.ENDED);
        switch (state.phase()) {
            case CLOSING -> ctx.close(); // e.g. a refused client stopped sending: no reset can destroy our answer now
            case DECIDING -> calls.abandonAndAnswer(relay.replies().halfClosedWhileWaiting());
            case FORWARDED -> {
                if (relay.pool().withdraw(ctx.channel().eventLoop(), ee2Replies)) {
                    calls.withdrawAndAnswer();
                }
            }
            case READING -> closeNow();
            default -> {
                // a call being answered (a page, a write): answered, then closed (answered)
            }
        }
    }

    /**
     * The request being received did not arrive whole in time. The deadline runs only while this
     * waits for a request, so nothing is in progress or queued: it is answered at once, and what the
     * client still sends is not read as HTTP any more.
     */
    private void requestExpired() {
        if (!state.is(RelayState.Phase.READING)) {
            return;
        }
        FrontendInitializer.stopDecoding(ctx.pipeline());
        calls.handle(new Refusal(Refusal.Kind.REQUEST_TIMEOUT, "timeouts.request").standIn());
    }

    /**
     * ProxyServer.close(): a call DECIDING is answered (it was not submitted; the client submits it
     * again elsewhere); every other connection closes now, cutting a call on its way to EE2
     * (drainAndClose is the way to let those finish; channelInactive settles the call).
     */
    private void proxyClosing() {
        if (state.is(RelayState.Phase.DECIDING)) {
            calls.abandonAndAnswer(relay.replies().stopping());
        } else if (state.is(RelayState.Phase.READING)) {
            closeNow();
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close(); // channelInactive settles a call in progress, by its phase
    }

    /** No call in progress: the connection closes. */
    private void closeNow() {
        state.to(RelayState.Phase.CLOSING);
        ctx.close();
    }

    // The answer: WRITING from when AnswerWriter takes it until it is written, then the next request or the end

    AnswerWriter answers() {
        return answers;
    }

    Ee2ReplyRelay ee2Replies() {
        return ee2Replies;
    }

    /**
     * Whether the answer being written is the connection's last: the client said so, or it sent all
     * it will (half-close), or the proxy is stopping (clients then reconnect to another replica).
     */
    boolean lastAnswer() {
        return !call.keepAlive() || (pipelined.isEmpty() && (state.inputEnded() || relay.clients().stopping()));
    }

    /**
     * The current call's answer was written (or failed to be): the call is finished, and the
     * connection closes, lingers, goes on with the next pipelined request or reads another.
     *
     * @param last the answer said {@code Connection: close}
     * @param unread the request was not read whole (malformed, too large)
     */
    void answered(boolean written, boolean last, boolean unread) {
        if (!written || last || (pipelined.isEmpty() && state.inputEnded())) {
            finishCall(RelayState.Phase.CLOSING);
            if (written && last && unread && !state.inputEnded()) {
                lingerThenClose();
            } else {
                ctx.channel().close();
            }
            return;
        }
        finishCall(RelayState.Phase.READING);
        FullHttpRequest next = pipelined.next();
        if (next != null) {
            calls.handle(next);
            keepReading(); // the last one queued was taken: reading may go on
        } else {
            deadline.awaiting();
            ctx.read(); // a no-op when reading went on during the call (keepReading): no epoll_ctl
        }
    }

    /**
     * Goes on reading while the call just taken is answered, as long as nothing waits behind it: the
     * read interest then stays registered from one request to the next instead of being dropped after
     * each request and taken back after its answer (two epoll_ctl per request). What this reads
     * ahead is bounded: one read's bytes, at most {@code limits.maxPipelinedRequests} decoded
     * requests (their bodies within the body budget), and reading stops as soon as one is queued,
     * until the answers have caught up. Answers are still written one at a time, in order, and the
     * next call starts only after the previous answer was written.
     */
    private void keepReading() {
        if (state.callInProgress() && pipelined.isEmpty() && state.takesRequests()) {
            ctx.read();
        }
    }

    /** The current call is answered (or its client is gone): release it, count it done, and move on to {@code next}. */
    void finishCall(RelayState.Phase next) {
        bodies.released(call.request());
        call.end();
        relay.metrics().requestFinished();
        state.to(next);
    }

    /**
     * After refusing a request whose body was not read (too large, malformed), closing at once
     * would reset the connection while the client is still sending, and a reset can destroy our
     * answer before the client reads it. So: end our side, drain and drop what still arrives for a
     * moment, then close.
     */
    private void lingerThenClose() {
        FrontendInitializer.stopDecoding(ctx.pipeline());
        Channel ch = ctx.channel();
        if (ch instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        ch.config().setAutoRead(true);
        ctx.executor().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }
}
