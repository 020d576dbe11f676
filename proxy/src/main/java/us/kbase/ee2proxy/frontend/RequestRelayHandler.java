package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admission.Caller;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.status.StatusPages;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.metrics.ErrorKind;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * One client connection's relay: takes one request at a time, sniffs its JSON-RPC call, asks the
 * admission gate, sends it to EE2 on a pooled connection of the same event loop, has EE2's
 * response written back byte for byte ({@link Ee2ReplyRelay}, {@link AnswerWriter}), and only then
 * reads the next request. That is the back-pressure (a slow client is never read ahead of, a slow
 * EE2 is never flooded) and it keeps pipelined responses in order.
 *
 * <p>One read can still bring many requests: the codec decodes every request in the bytes it got,
 * and those wait here, in order. At most {@code limits.maxPipelinedRequests} may be unanswered at
 * once (the one being answered included); the next is answered with an EE2-shaped refusal in its
 * turn, it and everything after it unsent, and the connection closes after that answer. So every
 * request sent to EE2 gets its answer, however deep a client pipelines.
 *
 * <p>The channel runs with AUTO_READ off; every {@code ctx.read()} here is deliberate. The handler
 * is also the connection's {@link Caller} (for the gate); the call's state ({@link CallInProgress})
 * and its exchange with EE2 are per connection, so the fast path allocates no per-request objects
 * of its own.
 *
 * <p>Ends of a connection: a client that half-closes (ALLOW_HALF_CLOSURE) gets the answers to what
 * it sent, then the connection closes; but a call still waiting for its verdict is dropped as if the
 * client had left, since a killed client's FIN looks the same, and told why; so is a call still
 * waiting for a free connection to EE2 (never sent, its leases given back), and such a call whose
 * client closes is dropped at once. When the proxy drains,
 * each answer closes its connection; when it closes, a call waiting for its verdict is answered
 * "not submitted" and every connection is closed ({@link ClientConnections}).
 */
final class RequestRelayHandler extends ChannelInboundHandlerAdapter implements Caller {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRelayHandler.class);
    /** How long a refused client may go on sending before the connection is closed under it. */
    private static final long LINGER_SECONDS = 2;

    private final Relay relay;
    private final RequestDeadline deadline;
    private final BodyBudget.Account bodies;
    private final String clientIp;
    private final int maxPipelined;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(2);
    private final CallInProgress call = new CallInProgress();
    private ChannelHandlerContext ctx;
    private Ee2ReplyRelay ee2Replies;
    private AnswerWriter answers;
    /** The connection is being closed after a refusal: whatever still arrives is dropped. */
    private boolean closing;
    /** A request past the pipelining bound was refused: the requests after it are dropped, unsent. */
    private boolean refusedRest;
    /** The client ended its sending side: answer what it sent, then close. */
    private boolean inputEnded;

    /**
     * @param deadline the connection's request deadline, told when this waits for a request and when one arrived
     * @param bodies the connection's share of the body budget, told when a request is taken and let go of
     * @param clientIp the client's address as text ({@link UpstreamRequests#clientIp}, computed once per connection)
     */
    RequestRelayHandler(Relay relay, RequestDeadline deadline, BodyBudget.Account bodies, String clientIp) {
        this.relay = relay;
        this.deadline = deadline;
        this.bodies = bodies;
        this.clientIp = clientIp;
        this.maxPipelined = relay.config().limits().maxPipelinedRequests();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ee2Replies = new Ee2ReplyRelay(relay, call, ctx.channel(), this);
        this.answers = new AnswerWriter(relay, call, ctx, this);
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
        FullHttpRequest queued;
        while ((queued = pipelined.poll()) != null) {
            discard(queued);
        }
        if (call.awaited() != null) {
            // The gate drops a held request when it sees this; the verdict, whatever it is, is
            // never acted on, and the request is no longer in flight.
            call.awaited().abandon();
            call.awaited(null);
            finishCall();
        } else if (call.active() && relay.pool().withdraw(ctx.channel().eventLoop(), ee2Replies)) {
            // Still waiting for a free connection to EE2: never sent, so its leases go back.
            ee2Replies.withdrawn();
        }
        // A request already sent to EE2 stays in flight: its answer still matters to whoever
        // observes it (job tracking), and is then dropped (and its body's bytes given back).
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
        if (closing || refusedRest) {
            discard(request);
            return;
        }
        if (call.active()) {
            if (pipelined.size() + 1 < maxPipelined) { // the one being answered, those queued, and this one
                pipelined.addLast(request);
            } else {
                refuseFrom(request);
            }
            return;
        }
        handle(request);
    }

    /**
     * {@code request} is one more than the client may send ahead of its answers: it is answered with
     * a refusal in its turn, and neither it nor anything after it is sent to EE2 or even decoded, so
     * no call is ever forwarded whose answer would be dropped. The connection closes after that answer.
     */
    private void refuseFrom(FullHttpRequest request) {
        refusedRest = true;
        FrontendInitializer.stopDecoding(ctx.pipeline());
        pipelined.addLast(new Refusal(Refusal.Kind.PIPELINE_TOO_DEEP, String.valueOf(maxPipelined)).standIn(request));
        discard(request);
    }

    /** Lets go of a request that will not be answered. */
    private void discard(FullHttpRequest request) {
        bodies.released(request);
        request.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Idle only counts between requests: a held request may wait for minutes, and one
            // waiting on EE2 is bounded by the response timeout instead.
            if (!call.active() && pipelined.isEmpty()) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown();
            return;
        }
        if (evt == ClientConnections.Closing.EVENT) {
            proxyClosing();
            return;
        }
        if (evt == RequestDeadline.Expired.EVENT) {
            requestExpired();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The client half-closed, or went away with a FIN: the two look the same. */
    private void inputShutdown() {
        inputEnded = true;
        if (closing) {
            ctx.close(); // a refused client stopped sending: no reset can destroy our answer now
        } else if (call.awaited() != null) {
            abandonAndAnswer(relay.replies().halfClosedWhileWaiting());
        } else if (call.active() && relay.pool().withdraw(ctx.channel().eventLoop(), ee2Replies)) {
            withdrawAndAnswer();
        } else if (!call.active() && pipelined.isEmpty()) {
            ctx.close();
        }
        // else a request on its way to EE2 (or queued behind one): answered, then closed (answered)
    }

    /**
     * The request being received did not arrive whole in time. The deadline runs only while this
     * waits for a request, so nothing is in progress or queued: it is answered at once, and what the
     * client still sends is not read as HTTP any more.
     */
    private void requestExpired() {
        if (call.active() || !pipelined.isEmpty() || closing) {
            return;
        }
        FrontendInitializer.stopDecoding(ctx.pipeline());
        handle(new Refusal(Refusal.Kind.REQUEST_TIMEOUT, "timeouts.request").standIn());
    }

    /**
     * ProxyServer.close(): a call waiting for its verdict is answered (it was not submitted; the
     * client submits it again elsewhere); every other connection closes now, cutting a call on its
     * way to EE2 (drainAndClose is the way to let those finish).
     */
    private void proxyClosing() {
        if (call.awaited() != null) {
            abandonAndAnswer(relay.replies().stopping());
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    // Caller

    @Override
    public String authorization() {
        return call.active() ? call.request().headers().get(HttpHeaderNames.AUTHORIZATION) : null;
    }

    @Override
    public SocketAddress address() {
        return ctx.channel().remoteAddress();
    }

    // One request

    private void handle(FullHttpRequest request) {
        call.begin(request);
        relay.metrics().requestStarted();
        if (request.decoderResult().isFailure()) {
            // Malformed, or refused before it was read whole (Refusal): either way the rest of it
            // was not read, so the connection closes after this answer.
            Throwable cause = request.decoderResult().cause();
            String label = cause instanceof Refusal ? MethodLabels.REFUSED : MethodLabels.UNREADABLE;
            call.closeAfterAnswer();
            call.methodLabel(label);
            relay.metrics().request(label);
            answers.answer(relay.replies().unreadable(cause));
            return;
        }
        switch (Route.of(request)) {
            case CALL -> call(request);
            case CORS -> {
                // EE2 answers OPTIONS (CORS) without reading a body.
                call.methodLabel(MethodLabels.OPTIONS);
                relay.metrics().request(MethodLabels.OPTIONS);
                forward();
            }
            case OWN_PAGE -> ownPage(request);
            case NOT_SERVED -> notServed(request);
        }
    }

    private void notServed(FullHttpRequest request) {
        // RequestScreen refuses these at their head; one that got here anyway is never forwarded either.
        call.closeAfterAnswer();
        call.methodLabel(MethodLabels.REFUSED);
        relay.metrics().request(MethodLabels.REFUSED);
        answers.answer(relay.replies().unreadable(new Refusal(Refusal.Kind.METHOD_NOT_SERVED, request.method().name())));
    }

    /**
     * A status page (Route.OWN_PAGE): answered by the proxy once auth2 has named the caller, on this
     * connection's event loop, like EE2's answer to a forwarded call; never forwarded.
     */
    private void ownPage(FullHttpRequest request) {
        StatusPages pages = relay.statusPages();
        if (pages == null) {
            notServed(request);
            return;
        }
        call.methodLabel(MethodLabels.STATUS_PAGE);
        relay.metrics().request(MethodLabels.STATUS_PAGE);
        pages.answer(request).whenCompleteAsync((response, error) -> {
            if (!ctx.channel().isActive()) {
                if (response != null) {
                    response.release();
                }
                finishCall();
                return;
            }
            answers.write(response != null ? response : StatusPages.failed(error));
        }, ctx.executor());
    }

    /** A POST: the JSON-RPC call is sniffed, decided on by the gate, and forwarded or answered. */
    private void call(FullHttpRequest request) {
        SniffResult sniffed = JsonRpcSniffer.sniff(request.content());
        call.methodLabel(MethodLabels.of(sniffed));
        relay.metrics().request(call.methodLabel());
        if (sniffed instanceof SniffResult.Call rpc) {
            call.envelope(rpc.envelope());
            decide(relay.gate().decide(rpc, this));
        } else if (sniffed instanceof SniffResult.ParseError parseError) {
            // EE2 would answer exactly this; answering here keeps unreadable bodies away from it.
            relay.metrics().error(ErrorKind.PARSE_ERROR);
            answers.answer(Ee2ErrorReply.parseError(parseError.message()));
        } else {
            // Valid JSON that is not a call EE2 dispatches: it crashes EE2's handler and creates
            // nothing, so EE2 gives its own answer.
            forward();
        }
    }

    private void decide(CompletionStage<Verdict> stage) {
        CompletableFuture<Verdict> done = AwaitedVerdict.settled(stage);
        if (done != null) {
            act(done.getNow(null)); // the fast path: no callback, no allocation
            return;
        }
        call.compactForWait();
        call.awaited(new AwaitedVerdict(stage, ctx.executor(), this::verdictArrived));
        if (inputEnded) { // a pipelined request, read before the client half-closed
            abandonAndAnswer(relay.replies().halfClosedWhileWaiting());
            return;
        }
        // Keep reading while held: it is how a disconnect is noticed (a further pipelined
        // request is queued, and reading then pauses until this one is answered).
        ctx.read();
    }

    /** Stops waiting for the current call's verdict (never forwarded) and answers it; the connection then closes. */
    private void abandonAndAnswer(ProxyReplies.Reply reply) {
        call.awaited().abandon();
        call.awaited(null);
        call.closeAfterAnswer();
        answers.answer(reply);
    }

    private void verdictArrived(Verdict verdict, Throwable error) {
        call.awaited(null);
        if (!ctx.channel().isActive()) { // closed, and channelInactive not run yet
            AwaitedVerdict.giveBack(verdict);
            finishCall();
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof CancellationException)) {
                LOG.warn("admission gate failed on {}: {}", call.methodLabel(), cause.toString());
            }
            answers.answer(relay.replies().gateFailed(cause));
            return;
        }
        act(verdict);
    }

    private void act(Verdict verdict) {
        if (verdict instanceof Verdict.Answer answer) {
            answers.answer(answer.reply());
        } else if (verdict instanceof Verdict.Forward forward) {
            call.observer(forward.observer());
            forward();
        } else {
            answers.answer(relay.replies().gateFailed(new IllegalStateException("the gate's verdict was null")));
        }
    }

    private void forward() {
        EventLoop loop = ctx.channel().eventLoop();
        if (relay.pool().wouldWait(loop)) {
            call.compactForWait(); // every connection to EE2 is busy: it may wait up to timeouts.response
        }
        Ee2Request upstream = relay.requests().build(call.request(), clientIp, ctx.alloc());
        call.sent(); // again when it is written (Ee2ReplyRelay.sending), after any wait for a connection
        relay.pool().send(loop, upstream, ee2Replies);
        if (inputEnded && call.active() && relay.pool().withdraw(loop, ee2Replies)) {
            // A pipelined request, read before the client half-closed, found no free connection.
            withdrawAndAnswer();
        }
    }

    /**
     * The client half-closed while its call waited for a free connection to EE2: as with a held
     * call, a killed client's FIN looks the same, so it is taken back unsent and the client told why.
     */
    private void withdrawAndAnswer() {
        ee2Replies.takeBack();
        call.closeAfterAnswer();
        answers.answer(relay.replies().halfClosedWhileWaitingForEe2());
    }

    // After the answer (AnswerWriter)

    AnswerWriter answers() {
        return answers;
    }

    /** Whether requests wait behind the current call (pipelined). */
    boolean callsQueued() {
        return !pipelined.isEmpty();
    }

    boolean inputEnded() {
        return inputEnded;
    }

    /**
     * The current call's answer was written (or failed to be): the call is finished, and the
     * connection closes, lingers, goes on with the next pipelined request or reads another.
     *
     * @param last the answer said {@code Connection: close}
     * @param unread the request was not read whole (malformed, too large)
     */
    void answered(boolean written, boolean last, boolean unread) {
        finishCall();
        if (!written) {
            ctx.channel().close();
            return;
        }
        if (last) {
            if (unread && !inputEnded) {
                lingerThenClose();
            } else {
                ctx.channel().close();
            }
            return;
        }
        FullHttpRequest next = pipelined.poll();
        if (next != null) {
            handle(next);
        } else if (inputEnded) {
            ctx.channel().close();
        } else {
            deadline.awaiting();
            ctx.read();
        }
    }

    /** The current call is answered (or its client is gone): release it and count it done. */
    void finishCall() {
        bodies.released(call.request());
        call.end();
        relay.metrics().requestFinished();
    }

    /**
     * After refusing a request whose body was not read (too large, malformed), closing at once
     * would reset the connection while the client is still sending, and a reset can destroy our
     * answer before the client reads it. So: end our side, drain and drop what still arrives for a
     * moment, then close.
     */
    private void lingerThenClose() {
        closing = true;
        FrontendInitializer.stopDecoding(ctx.pipeline());
        Channel ch = ctx.channel();
        if (ch instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        ch.config().setAutoRead(true);
        ctx.executor().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }
}
