package us.kbase.ee2proxy.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;

/** The pages' HTTP answers: JSON, HTML, and EE2-shaped errors with the status that fits. */
final class Responses {
    static final JsonMapper JSON = new JsonMapper();

    private Responses() {}

    static FullHttpResponse json(HttpResponseStatus status, Object value) {
        try {
            return bytes(status, "application/json", JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code template} with {@code INITIAL_STATE} replaced by {@code state} as JSON safe inside a script element. */
    static FullHttpResponse html(String template, Object state) {
        String json;
        try {
            json = JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Inside <script>, "</" could end the element and U+2028/9 end a JS line: escape them.
        json = json.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        FullHttpResponse r = bytes(HttpResponseStatus.OK, "text/html; charset=utf-8",
                template.replace("INITIAL_STATE", json).getBytes(StandardCharsets.UTF_8));
        // Own assets only, inline: nothing else may load or run.
        r.headers().set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
        return r;
    }

    /** An EE2-shaped error object with {@code status}: what a KBase client reads as EE2's own. */
    static FullHttpResponse error(HttpResponseStatus status, String message) {
        FullHttpResponse r = Ee2ErrorReply.serverError(message).toResponse(ByteBufAllocator.DEFAULT, null);
        r.setStatus(status);
        return r;
    }

    static FullHttpResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    /** A page template from the classpath, read once. */
    static String template(String name) {
        try (InputStream in = Responses.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing page template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
