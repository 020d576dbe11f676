package us.kbase.ee2proxy.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.upstream.UpstreamExchange;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * One client connection's relay: takes one request at a time, sends it to EE2 on a pooled
 * connection of the same event loop, writes EE2's response back byte for byte, and only then
 * reads the next request. That is the back-pressure (a slow client is never read ahead of, a
 * slow EE2 is never flooded) and it keeps pipelined responses in order.
 *
 * <p>The channel runs with AUTO_READ off; every {@code ctx.read()} here is deliberate.
 */
final class RequestRelayHandler extends ChannelInboundHandlerAdapter implements UpstreamExchange {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRelayHandler.class);
    private static final String ALL_METHODS = "all";
    /** How long a refused client may go on sending before the connection is closed under it. */
    private static final long LINGER_SECONDS = 2;

    private final Relay relay;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    /** The request being answered, owned (retained) until its response is written. */
    private FullHttpRequest current;
    private boolean keepAlive;
    private String methodLabel = ALL_METHODS;
    private long sentAt;
    /** The connection is being closed after a refusal: whatever still arrives is dropped. */
    private boolean closing;

    RequestRelayHandler(Relay relay) {
        this.relay = relay;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
            // Idle only counts between requests: a request waiting on EE2 is bounded by the
            // response timeout instead.
            if (current == null && pipelined.isEmpty()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void handle(FullHttpRequest request) {
        current = request;
        keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            keepAlive = false;
            answer(relay.replies().unreadable(request.decoderResult().cause()));
            return;
        }
        relay.metrics().request(methodLabel);
        forward();
    }

    private void forward() {
        FullHttpRequest upstream = relay.requests().build(current, ctx.channel().remoteAddress());
        sentAt = System.nanoTime();
        relay.pool().send(ctx.channel().eventLoop(), upstream, this);
    }

    @Override
    public void onResponse(FullHttpResponse response) {
        relay.metrics().upstreamLatency(methodLabel, System.nanoTime() - sentAt);
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        HopByHopHeaders.strip(response.headers());
        int length = response.content().readableBytes();
        if (HttpUtil.getContentLength(response, -1L) != length) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        write(response);
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

    @Override
    public void onFailure(UpstreamFailure failure) {
        if (ctx.channel().isActive()) {
            answer(relay.replies().upstreamFailed(failure));
        } else {
            relay.metrics().error(relay.replies().upstreamFailed(failure).kind());
        }
    }

    private void answer(ProxyReplies.Reply reply) {
        relay.metrics().error(reply.kind());
        answer(reply.reply());
    }

    private void answer(Ee2ErrorReply reply) {
        String allowHeaders = current.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        write(reply.toResponse(ctx.alloc(), allowHeaders));
    }

    private void write(FullHttpResponse response) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (current.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            boolean unread = current.decoderResult().isFailure();
            current.release();
            current = null;
            if (!written.isSuccess()) {
                written.channel().close();
                return;
            }
            if (!keepAlive) {
                if (unread) {
                    lingerThenClose();
                } else {
                    written.channel().close();
                }
                return;
            }
            FullHttpRequest next = pipelined.poll();
            if (next != null) {
                handle(next);
            } else {
                ctx.read();
            }
        });
    }
}
