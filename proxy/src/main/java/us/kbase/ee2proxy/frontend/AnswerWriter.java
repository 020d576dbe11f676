package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.RpcEnvelope;
import us.kbase.ee2proxy.upstream.Ee2Response;

/**
 * Writes the answer to a connection's current call (EE2's response or the proxy's own EE2-shaped
 * error), says in it whether the connection stays open, and once it is written hands the
 * connection back to {@link ClientRelay} for what comes next. One per connection. Taking an answer
 * moves the relay to WRITING, where it stays until {@link ClientRelay#answered}.
 */
final class AnswerWriter {
    private final Relay relay;
    private final CallInProgress call;
    private final RelayState state;
    private final ChannelHandlerContext ctx;
    private final ClientRelay connection;
    /**
     * Told when an answer is written: one listener for all of the connection's answers instead of
     * a capturing lambda per answer, which the next answer cannot race since a connection writes
     * one answer at a time (the next call starts only after this listener ran).
     */
    private final ChannelFutureListener written = this::written;
    /** The answer being written said {@code Connection: close}. */
    private boolean last;

    AnswerWriter(Relay relay, CallInProgress call, RelayState state, ChannelHandlerContext ctx, ClientRelay connection) {
        this.relay = relay;
        this.call = call;
        this.state = state;
        this.ctx = ctx;
        this.connection = connection;
    }

    /** The proxy's own answer, counted as the error it is. */
    void answer(ProxyReplies.Reply reply) {
        relay.metrics().error(reply.kind());
        answer(reply.reply());
    }

    /** An EE2-shaped error, with the call's id and version when it had them (a parse error has none). */
    void answer(Ee2ErrorReply reply) {
        RpcEnvelope envelope = call.envelope();
        Ee2ErrorReply shaped = envelope == null || reply.code() == Ee2ErrorReply.PARSE_ERROR ? reply : reply.withEnvelope(envelope);
        String allowHeaders = call.request().headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        FullHttpResponse response = shaped.toResponse(ctx.alloc(), allowHeaders);
        if (HttpMethod.HEAD.equals(call.request().method())) {
            // A HEAD answer: the headers a GET would get, Content-Length included, and no body.
            response.content().clear();
        }
        write(response);
    }

    void write(FullHttpResponse response) {
        state.to(RelayState.Phase.WRITING);
        last = connection.lastAnswer();
        if (last) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (call.request().protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener(written);
    }

    /**
     * EE2's answer, as the bytes it sent: its head (hop-by-hop lines already spliced out) with the
     * proxy's own lines appended, then its body, written past the response encoder
     * ({@link PassThroughResponseEncoder}). Takes ownership of {@code response}.
     *
     * @param decision the admission decision to tell the client ({@code X-Ee2-Proxy-Decision}); null: none
     */
    void write(Ee2Response response, String decision) {
        state.to(RelayState.Phase.WRITING);
        last = connection.lastAnswer();
        ByteBuf head = response.head();
        if (decision != null) {
            HeaderLines.line(head, Ee2ReplyRelay.DECISION_HEADER, decision);
        }
        if (!response.lengthInHead()) {
            // EE2 sent it chunked (or until close): the client gets it with its length.
            HeaderLines.line(head, HttpHeaderNames.CONTENT_LENGTH, Integer.toString(response.body().readableBytes()));
        }
        if (last) {
            HeaderLines.line(head, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (call.request().protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            HeaderLines.line(head, HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        HeaderLines.end(head);
        ctx.write(head, ctx.voidPromise());
        ctx.writeAndFlush(response.body()).addListener(written);
    }

    private void written(ChannelFuture future) {
        boolean unread = call.request().decoderResult().isFailure();
        connection.answered(future.isSuccess(), last, unread);
    }
}
