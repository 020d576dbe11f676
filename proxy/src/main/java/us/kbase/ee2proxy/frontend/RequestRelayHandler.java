package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
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
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.RpcEnvelope;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.metrics.ErrorKind;
import us.kbase.ee2proxy.upstream.UpstreamExchange;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * One client connection's relay: takes one request at a time, sniffs its JSON-RPC call, asks the
 * admission gate, sends it to EE2 on a pooled connection of the same event loop, writes EE2's
 * response back byte for byte, and only then reads the next request. That is the back-pressure
 * (a slow client is never read ahead of, a slow EE2 is never flooded) and it keeps pipelined
 * responses in order.
 *
 * <p>The channel runs with AUTO_READ off; every {@code ctx.read()} here is deliberate. The handler
 * is also the connection's {@link Caller} (for the gate) and the {@link UpstreamExchange} of its
 * one request in flight, so the fast path allocates no per-request objects of its own.
 *
 * <p>Ends of a connection: a client that half-closes (ALLOW_HALF_CLOSURE) gets the answers to what
 * it sent, then the connection closes; but a call still waiting for its verdict is dropped as if the
 * client had left, since a killed client's FIN looks the same, and told why. When the proxy drains,
 * each answer closes its connection; when it closes, a call waiting for its verdict is answered
 * "not submitted" and every connection is closed ({@link ClientConnections}).
 */
final class RequestRelayHandler extends ChannelInboundHandlerAdapter implements UpstreamExchange, Caller {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRelayHandler.class);
    /** How long a refused client may go on sending before the connection is closed under it. */
    private static final long LINGER_SECONDS = 2;

    private final Relay relay;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private String clientIp;
    /** The request being answered, owned (retained) until its response is written. */
    private FullHttpRequest current;
    private boolean keepAlive;
    private String methodLabel;
    private RpcEnvelope envelope;
    /** The current call's verdict while the gate has not given it (held, or being decided). */
    private AwaitedVerdict awaited;
    private ReplyObserver observer;
    private long sentAt;
    /** The connection is being closed after a refusal: whatever still arrives is dropped. */
    private boolean closing;
    /** The client ended its sending side: answer what it sent, then close. */
    private boolean inputEnded;

    RequestRelayHandler(Relay relay) {
        this.relay = relay;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clientIp = UpstreamRequests.clientIp(ctx.channel().remoteAddress());
        relay.metrics().connectionOpened();
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.metrics().connectionClosed();
        FullHttpRequest queued;
        while ((queued = pipelined.poll()) != null) {
            queued.release();
        }
        if (awaited != null) {
            // The gate drops a held request when it sees this; the verdict, whatever it is, is
            // never acted on, and the request is no longer in flight.
            awaited.abandon();
            awaited = null;
            finishRequest();
        }
        // A request already sent to EE2 stays in flight: its answer still matters to whoever
        // observes it (job tracking), and is then dropped.
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null) {
            pipelined.addLast(request);
            return;
        }
        handle(request);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Idle only counts between requests: a held request may wait for minutes, and one
            // waiting on EE2 is bounded by the response timeout instead.
            if (current == null && pipelined.isEmpty()) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded();
            return;
        }
        if (evt == ClientConnections.Closing.EVENT) {
            proxyClosing();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The client half-closed, or went away with a FIN: the two look the same. */
    private void inputEnded() {
        inputEnded = true;
        if (closing) {
            ctx.close(); // a refused client stopped sending: no reset can destroy our answer now
        } else if (awaited != null) {
            abandonAndAnswer(relay.replies().halfClosedWhileWaiting());
        } else if (current == null && pipelined.isEmpty()) {
            ctx.close();
        }
        // else a request on its way to EE2 (or queued behind one): answered, then closed (write)
    }

    /**
     * ProxyServer.close(): a call waiting for its verdict is answered (it was not submitted; the
     * client submits it again elsewhere); every other connection closes now, cutting a call on its
     * way to EE2 (drainAndClose is the way to let those finish).
     */
    private void proxyClosing() {
        if (awaited != null) {
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
        return current == null ? null : current.headers().get(HttpHeaderNames.AUTHORIZATION);
    }

    @Override
    public SocketAddress address() {
        return ctx.channel().remoteAddress();
    }

    // One request

    private void handle(FullHttpRequest request) {
        current = request;
        relay.metrics().requestStarted();
        keepAlive = HttpUtil.isKeepAlive(request);
        envelope = null;
        observer = null;
        if (request.decoderResult().isFailure()) {
            keepAlive = false;
            methodLabel = MethodLabels.UNREADABLE;
            relay.metrics().request(methodLabel);
            answer(relay.replies().unreadable(request.decoderResult().cause()));
            return;
        }
        if (HttpMethod.OPTIONS.equals(request.method())) {
            // EE2 answers OPTIONS (CORS) without reading a body.
            methodLabel = MethodLabels.OPTIONS;
            relay.metrics().request(methodLabel);
            forward();
            return;
        }
        SniffResult sniffed = JsonRpcSniffer.sniff(request.content());
        methodLabel = MethodLabels.of(sniffed);
        relay.metrics().request(methodLabel);
        if (sniffed instanceof SniffResult.Call call) {
            envelope = call.envelope();
            decide(relay.gate().decide(call, this));
        } else if (sniffed instanceof SniffResult.ParseError parseError) {
            // EE2 would answer exactly this; answering here keeps unreadable bodies away from it.
            relay.metrics().error(ErrorKind.PARSE_ERROR);
            answer(Ee2ErrorReply.parseError(parseError.message()));
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
        awaited = new AwaitedVerdict(stage, ctx.executor(), this::verdictArrived);
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
        awaited.abandon();
        awaited = null;
        keepAlive = false;
        answer(reply);
    }

    private void verdictArrived(Verdict verdict, Throwable error) {
        awaited = null;
        if (!ctx.channel().isActive()) { // closed, and channelInactive not run yet
            AwaitedVerdict.giveBack(verdict);
            finishRequest();
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof CancellationException)) {
                LOG.warn("admission gate failed on {}: {}", methodLabel, cause.toString());
            }
            answer(relay.replies().gateFailed(cause));
            return;
        }
        act(verdict);
    }

    private void act(Verdict verdict) {
        if (verdict instanceof Verdict.Answer answer) {
            answer(answer.reply());
        } else if (verdict instanceof Verdict.Forward forward) {
            observer = forward.observer();
            forward();
        } else {
            answer(relay.replies().gateFailed(new IllegalStateException("the gate's verdict was null")));
        }
    }

    private void forward() {
        FullHttpRequest upstream = relay.requests().build(current, clientIp);
        sentAt = System.nanoTime();
        relay.pool().send(ctx.channel().eventLoop(), upstream, this);
    }

    // UpstreamExchange

    @Override
    public void onResponse(FullHttpResponse response) {
        relay.metrics().upstreamLatency(methodLabel, System.nanoTime() - sentAt);
        if (observer != null) {
            ReplyObserver told = observer;
            observer = null;
            try {
                told.onReply(response.status().code(), response.content().duplicate());
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed on {}: {}", methodLabel, e.toString());
            }
        }
        if (!ctx.channel().isActive()) {
            response.release();
            finishRequest();
            return;
        }
        HopByHopHeaders.strip(response.headers());
        int length = response.content().readableBytes();
        if (HttpUtil.getContentLength(response, -1L) != length) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        write(response);
    }

    @Override
    public void onFailure(UpstreamFailure failure) {
        ProxyReplies.Reply reply = relay.replies().upstreamFailed(failure);
        if (observer != null) {
            ReplyObserver told = observer;
            observer = null;
            try {
                told.onFailure(failure);
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed on {}: {}", methodLabel, e.toString());
            }
        }
        if (ctx.channel().isActive()) {
            answer(reply);
        } else {
            relay.metrics().error(reply.kind());
            finishRequest();
        }
    }

    // Answering

    private void answer(ProxyReplies.Reply reply) {
        relay.metrics().error(reply.kind());
        answer(reply.reply());
    }

    private void answer(Ee2ErrorReply reply) {
        Ee2ErrorReply shaped = envelope == null || reply.code() == Ee2ErrorReply.PARSE_ERROR ? reply : reply.withEnvelope(envelope);
        String allowHeaders = current.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        write(shaped.toResponse(ctx.alloc(), allowHeaders));
    }

    private void write(FullHttpResponse response) {
        // The last answer on this connection: the client said so, or it sent all it will (half-close),
        // or the proxy is stopping (clients then reconnect to another replica).
        boolean last = !keepAlive || (pipelined.isEmpty() && (inputEnded || relay.clients().stopping()));
        if (last) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (current.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            boolean unread = current.decoderResult().isFailure();
            finishRequest();
            if (!written.isSuccess()) {
                written.channel().close();
                return;
            }
            if (last) {
                if (unread && !inputEnded) {
                    lingerThenClose();
                } else {
                    written.channel().close();
                }
                return;
            }
            FullHttpRequest next = pipelined.poll();
            if (next != null) {
                handle(next);
            } else if (inputEnded) {
                written.channel().close();
            } else {
                ctx.read();
            }
        });
    }

    /** The current request is answered (or its client is gone): release it and count it done. */
    private void finishRequest() {
        current.release();
        current = null;
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
        Channel ch = ctx.channel();
        if (ch instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        ch.config().setAutoRead(true);
        ctx.executor().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }
}
