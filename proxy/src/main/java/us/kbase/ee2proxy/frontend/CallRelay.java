package us.kbase.ee2proxy.frontend;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.SocketAddress;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admission.Caller;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.metrics.ErrorKind;
import us.kbase.ee2proxy.status.StatusPages;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * One call's way through a client connection's relay, from READING until its answer is handed to
 * the {@link AnswerWriter} (WRITING): routed, sniffed, decided on by the admission gate (DECIDING
 * while the verdict is not there: auth2, the ledger, or held at the proxy), forwarded to EE2
 * (FORWARDED) or answered by the proxy (a status page: OWN_PAGE; an EE2-shaped error). Also the
 * connection's {@link Caller} for the gate. {@link ClientRelay} owns the connection's ends and
 * decides what follows an answer. One per connection; on its event loop only.
 */
final class CallRelay implements Caller {
    private static final Logger LOG = LoggerFactory.getLogger(CallRelay.class);

    private final Relay relay;
    private final CallInProgress call;
    private final RelayState state;
    private final ChannelHandlerContext ctx;
    private final ClientRelay connection;
    private final String clientIp;

    CallRelay(Relay relay, CallInProgress call, RelayState state, ChannelHandlerContext ctx, ClientRelay connection,
            String clientIp) {
        this.relay = relay;
        this.call = call;
        this.state = state;
        this.ctx = ctx;
        this.connection = connection;
        this.clientIp = clientIp;
    }

    // Caller

    @Override
    public String authorization() {
        // The gate asks while deciding, before the relay has moved out of READING: the call's data says it.
        return call.active() ? call.request().headers().get(HttpHeaderNames.AUTHORIZATION) : null;
    }

    @Override
    public SocketAddress address() {
        return ctx.channel().remoteAddress();
    }

    // One request: every path ends in DECIDING, OWN_PAGE, FORWARDED or WRITING

    /** Takes {@code request} (and its ownership) as the connection's call, from READING. */

    void handle(FullHttpRequest request) {
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
            connection.answers().answer(relay.replies().unreadable(cause));
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
        connection.answers().answer(relay.replies().unreadable(new Refusal(Refusal.Kind.METHOD_NOT_SERVED, request.method().name())));
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
        state.to(RelayState.Phase.OWN_PAGE);
        pages.answer(request).whenCompleteAsync((response, error) -> {
            if (!ctx.channel().isActive()) {
                if (response != null) {
                    response.release();
                }
                connection.finishCall(RelayState.Phase.CLOSING);
                return;
            }
            connection.answers().write(response != null ? response : StatusPages.failed(error));
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
            connection.answers().answer(Ee2ErrorReply.parseError(parseError.message()));
        } else {
            // Valid JSON that is not a call EE2 dispatches: it crashes EE2's handler and creates
            // nothing, so EE2 gives its own answer.
            forward();
        }
    }

    private void decide(CompletionStage<Verdict> stage) {
        CompletableFuture<Verdict> done = AwaitedVerdict.settled(stage);
        if (done != null) {
            act(done.getNow(null)); // the fast path: no callback, no allocation, no DECIDING
            return;
        }
        state.to(RelayState.Phase.DECIDING);
        call.compactForWait();
        call.awaited(new AwaitedVerdict(stage, ctx.executor(), this::verdictArrived));
        if (state.inputEnded()) { // a pipelined request, read before the client half-closed
            abandonAndAnswer(relay.replies().halfClosedWhileWaiting());
            return;
        }
        // Keep reading while held: it is how a disconnect is noticed (a further pipelined
        // request is queued, and reading then pauses until this one is answered).
        ctx.read();
    }

    /** Stops waiting for the current call's verdict (never forwarded) and answers it; the connection then closes. */
    void abandonAndAnswer(ProxyReplies.Reply reply) {
        call.abandonVerdict();
        call.closeAfterAnswer();
        connection.answers().answer(reply);
    }

    private void verdictArrived(Verdict verdict, Throwable error) {
        call.awaited(null);
        if (!ctx.channel().isActive()) { // closed, and channelInactive not run yet
            AwaitedVerdict.giveBack(verdict);
            connection.finishCall(RelayState.Phase.CLOSING);
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof CancellationException)) {
                LOG.warn("admission gate failed on {}: {}", call.methodLabel(), cause.toString());
            }
            connection.answers().answer(relay.replies().gateFailed(cause));
            return;
        }
        act(verdict);
    }

    private void act(Verdict verdict) {
        if (verdict instanceof Verdict.Answer answer) {
            connection.answers().answer(answer.reply());
        } else if (verdict instanceof Verdict.Forward forward) {
            call.observer(forward.observer());
            forward();
        } else {
            connection.answers().answer(relay.replies().gateFailed(new IllegalStateException("the gate's verdict was null")));
        }
    }

    private void forward() {
        state.to(RelayState.Phase.FORWARDED);
        EventLoop loop = ctx.channel().eventLoop();
        if (relay.pool().wouldWait(loop)) {
            call.compactForWait(); // every connection to EE2 is busy: it may wait up to timeouts.response
        }
        Ee2Request upstream = relay.requests().build(call.request(), clientIp, ctx.alloc());
        call.sent(); // again when it is written (Ee2ReplyRelay.sending), after any wait for a connection
        relay.pool().send(loop, upstream, connection.ee2Replies());
        if (state.inputEnded() && state.is(RelayState.Phase.FORWARDED) && relay.pool().withdraw(loop, connection.ee2Replies())) {
            // A pipelined request, read before the client half-closed, found no free connection.
            withdrawAndAnswer();
        }
    }

    /**
     * The client half-closed while its call waited for a free connection to EE2: as with a held
     * call, a killed client's FIN looks the same, so it is taken back unsent and the client told why.
     */
    void withdrawAndAnswer() {
        connection.ee2Replies().takeBack();
        call.closeAfterAnswer();
        connection.answers().answer(relay.replies().halfClosedWhileWaitingForEe2());
    }
}
