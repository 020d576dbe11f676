package us.kbase.ee2proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates EE2's responses. A response that declares neither a length nor chunked coding ends
 * only when EE2 closes the connection (RFC 9112 section 6.3), and once aggregated it looks like any
 * other (the aggregator sets its Content-Length): it is marked {@code Connection: close} first, so
 * the pool never takes its connection for a reusable one. {@code Connection} is hop-by-hop, so the
 * client never sees the mark.
 */
final class ResponseAggregator extends HttpObjectAggregator {
    ResponseAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected FullHttpMessage beginAggregation(HttpMessage start, ByteBuf content) throws Exception {
        if (start instanceof HttpResponse response && endsAtClose(response)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return super.beginAggregation(start, content);
    }

    private static boolean endsAtClose(HttpResponse response) {
        int code = response.status().code();
        boolean neverHasBody = response.status().codeClass() == HttpStatusClass.INFORMATIONAL || code == 204 || code == 304;
        return !neverHasBody && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response);
    }
}
