package us.kbase.ee2proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates request bodies up to the limit. A request whose head the decoder kept
 * ({@link HeadKeepingDecoder}) is aggregated into a {@link FullRequestWithHead}, so the head reaches
 * the relay; others as Netty does. A chunked body that grows past it (its size was not
 * known up front, so {@link BodyLimitHandler} could not refuse it) becomes a failed request the
 * relay answers with the proxy's EE2-shaped error, instead of Netty's bare 413.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
    BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected FullHttpMessage beginAggregation(HttpMessage start, ByteBuf content) throws Exception {
        if (start instanceof HeadKeepingDecoder.RequestWithHead request) {
            HttpUtil.setTransferEncodingChunked(start, false); // as HttpObjectAggregator does
            return new FullRequestWithHead(request, content, request.clientHead());
        }
        return super.beginAggregation(start, content);
    }

    @Override
    protected void aggregate(FullHttpMessage aggregated, HttpContent content) throws Exception {
        // HttpObjectAggregator only moves a chunked body's trailers onto its own message type here;
        // a FullRequestWithHead does not keep them (nothing reads them, EE2 never gets them).
        if (!(aggregated instanceof FullRequestWithHead)) {
            super.aggregate(aggregated, content);
        }
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.close();
            return;
        }
        FullHttpRequest refused = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(new ProxyReplies.BodyTooLargeException(maxContentLength() + 1L)));
        ctx.fireChannelRead(refused);
    }
}
