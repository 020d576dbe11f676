package us.kbase.ee2proxy.frontend;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Why the proxy answers a request itself before reading it whole, without sending it to EE2. It
 * travels as the failed decoder result of a body-less stand-in for the request ({@link #standIn}),
 * which the relay answers in its turn, after the calls the client sent before it, the way it answers
 * a malformed request; the connection then closes, since what follows the refused request was not
 * read. Stackless: it is a verdict, not an error of the proxy's.
 */
final class Refusal extends RuntimeException {
    enum Kind {
        /** A method EE2 does not serve ({@link Route#NOT_SERVED}); the detail is the method. */
        METHOD_NOT_SERVED,
        /** An {@code Expect} other than 100-continue; the detail is its value. */
        EXPECTATION_NOT_SUPPORTED,
        /** More requests sent ahead of their answers than {@code limits.maxPipelinedRequests}. */
        PIPELINE_TOO_DEEP,
        /** Not arrived whole within {@code timeouts.request}. */
        REQUEST_TIMEOUT,
        /** No room left in {@code limits.maxBufferedBodyBytes}. */
        BODY_BUFFERS_FULL,
        /** No room left in {@code limits.maxBufferedBodyBytesPerAddress} for the client's address. */
        ADDRESS_BODY_BUFFERS_FULL
    }

    private final Kind kind;

    Refusal(Kind kind, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    String detail() {
        return getMessage();
    }

    /**
     * A body-less request standing in for {@code head} in the relay's order, carrying this refusal.
     * It keeps the head's version, method and headers, so the answer is framed for it (a HEAD gets
     * no body) and echoes its CORS request headers.
     */
    FullHttpRequest standIn(HttpRequest head) {
        return standIn(head, this);
    }

    /** A body-less stand-in for {@code head} whose decoder result is the failure {@code why}. */
    static FullHttpRequest standIn(HttpRequest head, Throwable why) {
        FullHttpRequest refused = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(why));
        return refused;
    }

    /** A stand-in for a request whose head never arrived whole (the request deadline passed). */
    FullHttpRequest standIn() {
        FullHttpRequest refused = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.EMPTY_BUFFER, DefaultHttpHeadersFactory.headersFactory().newHeaders(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(this));
        return refused;
    }
}
