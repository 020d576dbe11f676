package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * EE2's responses framed from their bytes (issue 15): what the client gets is EE2's head with only
 * the hop-by-hop lines spliced out, and every way of framing a body is read to its end.
 */
class ResponseReaderTest {
    private static final String BODY = "{\"version\": \"1.1\", \"result\": [\"0.0.13\"], \"id\": \"9\"}";

    private final ResponseReader reader = new ResponseReader(1000);
    private final EmbeddedChannel ch = new EmbeddedChannel(reader);

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void feed(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private Ee2Response next() {
        Object msg = ch.readInbound();
        assertThat(msg).isInstanceOf(Ee2Response.class);
        return (Ee2Response) msg;
    }

    private static String text(ByteBuf b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aHeadIsRelayedAsSentButForItsHopByHopLines() {
        feed("HTTP/1.1 500 Internal Server Error\r\nServer: gunicorn\r\nConnection: keep-alive, X-Private\r\n"
                + "X-Private: secret\r\nKeep-Alive: timeout=5\r\ncontent-type: application/json\r\n"
                + "Content-Length: " + BODY.length() + "\r\nX-Odd:   spaced value \r\n\r\n" + BODY);
        Ee2Response r = next();
        try {
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.keepAlive()).isTrue();
            assertThat(r.lengthInHead()).isTrue();
            assertThat(text(r.head())).isEqualTo("HTTP/1.1 500 Internal Server Error\r\nServer: gunicorn\r\n"
                    + "content-type: application/json\r\nContent-Length: " + BODY.length() + "\r\nX-Odd:   spaced value \r\n");
            assertThat(text(r.body())).isEqualTo(BODY);
        } finally {
            r.release();
        }
    }

    @Test
    void aBodyArrivingInPiecesIsWaitedFor() {
        String all = "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
        for (int i = 0; i < all.length(); i += 7) {
            assertThat((Object) ch.readInbound()).isNull();
            feed(all.substring(i, Math.min(all.length(), i + 7)));
        }
        Ee2Response r = next();
        assertThat(text(r.body())).isEqualTo(BODY);
        r.release();
    }

    @Test
    void aChunkedBodyIsDechunkedAndLosesItsFraming() {
        feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\ncontent-type: application/json\r\n\r\n"
                + "a;ext=1\r\n" + BODY.substring(0, 10) + "\r\n" + Integer.toHexString(BODY.length() - 10) + "\r\n"
                + BODY.substring(10) + "\r\n0\r\nX-Trailer: t\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n");
        Ee2Response r = next();
        assertThat(r.lengthInHead()).isFalse();
        assertThat(text(r.head())).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
        assertThat(text(r.body())).isEqualTo(BODY);
        r.release();
        Ee2Response empty = next(); // the next response on the connection is read from where the first ended
        assertThat(empty.status()).isEqualTo(204);
        assertThat(empty.body().readableBytes()).isZero();
        empty.release();
    }

    @Test
    void aBodyWithoutLengthEndsAtCloseAndTheConnectionIsNotKept() {
        feed("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + BODY.substring(0, 5));
        feed(BODY.substring(5));
        assertThat((Object) ch.readInbound()).isNull();
        ch.pipeline().fireChannelInactive();
        Ee2Response r = next();
        assertThat(r.keepAlive()).isFalse();
        assertThat(r.lengthInHead()).isFalse();
        assertThat(text(r.body())).isEqualTo(BODY);
        r.release();
    }

    @Test
    void http10KeepsTheConnectionOnlyWhenItSaysSo() {
        feed("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
        boolean[] kept = new boolean[3];
        for (int i = 0; i < 3; i++) {
            Ee2Response r = next();
            kept[i] = r.keepAlive();
            assertThat(text(r.head())).doesNotContainIgnoringCase("connection");
            r.release();
        }
        assertThat(kept).containsExactly(false, true, false);
    }

    @Test
    void interimAnswersComeAloneAndAHeadRequestsAnswerHasNoBody() {
        reader.expect(HttpMethod.HEAD);
        feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 55\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        assertThat((Object) ch.readInbound()).isEqualTo(new ResponseReader.Interim(100));
        Ee2Response r = next();
        assertThat(r.body().readableBytes()).isZero();
        assertThat(r.lengthInHead()).isTrue();
        assertThat(text(r.head())).contains("Content-Length: 55");
        r.release();
    }

    @Test
    void conflictingLengthsAreUnreadable() {
        assertThatThrownBy(() -> feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"))
                .isInstanceOf(ResponseHead.Unreadable.class).hasMessageContaining("Content-Length");
    }

    @Test
    void notHttpIsUnreadableAndNothingAfterIsRead() {
        assertThatThrownBy(() -> feed("SSH-2.0-OpenSSH\r\n\r\n")).isInstanceOf(ResponseHead.Unreadable.class)
                .hasMessageContaining("not HTTP/1.x");
        feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void aBodyOverTheLimitFailsBeforeItIsRead() {
        assertThatThrownBy(() -> feed("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"))
                .isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void aChunkedBodyOverTheLimitFails() {
        String chunk = "x".repeat(600);
        assertThatThrownBy(() -> feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk + "\r\n258\r\n" + chunk))
                .isInstanceOf(TooLongFrameException.class);
    }
}
