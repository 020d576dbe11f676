package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.upstream.Ee2Request;

/**
 * The kept head from Netty's decoder to the bytes for EE2, on an {@link EmbeddedChannel} with the
 * proxy's decoder and aggregator: what is kept however the bytes are cut into reads, that every
 * buffer is let go (reference counts back to zero), and which heads {@link HeadSplice} refuses.
 */
class HeadSpliceTest {
    private static final String IP = "10.9.8.7";
    private static final UpstreamRequests REQUESTS = new UpstreamRequests(
            new UpstreamConfig(URI.create("http://ee2.example:5000/"), null, true, 8, Duration.ofSeconds(60)));

    private static String post(String lines, String body) {
        return "POST / HTTP/1.1\r\n" + lines + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String forwarded(String lines, String body, String forwardedFor) {
        return "POST / HTTP/1.1\r\nhost: ee2.example:5000\r\n" + lines + "content-length: " + body.length() + "\r\n"
                + "X-Forwarded-For: " + forwardedFor + "\r\n\r\n";
    }

    /** The requests decoded from reads, and the reads, whose buffers the requests' bodies share until released. */
    private record Decoded(List<FullHttpRequest> requests, List<ByteBuf> reads) {
        FullHttpRequest only() {
            assertThat(requests).hasSize(1);
            return requests.get(0);
        }

        /** Once every request is let go, so is every read buffer: nothing was kept of them but copies. */
        void assertReleased() {
            assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).isZero());
            assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        }
    }

    /** Decodes {@code wire} fed {@code readSize} bytes per read. */
    private static Decoded decode(String wire, int readSize) {
        EmbeddedChannel ch = new EmbeddedChannel(new HeadKeepingDecoder(new HttpDecoderConfig().setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192)), new BodyLimitAggregator(1 << 20));
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        List<ByteBuf> fed = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += readSize) {
            ByteBuf read = Unpooled.directBuffer(readSize).writeBytes(bytes, i, Math.min(readSize, bytes.length - i));
            fed.add(read);
            ch.writeInbound(read);
        }
        List<FullHttpRequest> requests = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            requests.add((FullHttpRequest) o);
        }
        assertThat(ch.finish()).isFalse();
        return new Decoded(requests, fed);
    }

    /** The head for EE2 built from {@code request}, with every buffer released after. */
    private static String build(FullHttpRequest request) {
        Ee2Request ee2 = REQUESTS.build(request, IP, ByteBufAllocator.DEFAULT);
        String head = ee2.head().toString(StandardCharsets.ISO_8859_1);
        ee2.release();
        assertThat(request.release()).isTrue();
        assertThat(ee2.head().refCnt()).isZero();
        assertThat(ee2.body().refCnt()).isZero();
        return head;
    }

    @Test
    void aHeadIsKeptTheSameWhateverTheReadsItArrivesIn() {
        String lines = "User-Agent: JobRunner/1.0\r\nauthorization: tok\r\nX-Spaced:   v  \r\nAccept:*/*\r\n";
        String body = "{\"method\": \"execution_engine2.check_job_canceled\", \"params\": [{\"job_id\": \"1\"}], \"id\": \"7\"}";
        // Connection is dropped, and so is what it lists ("close" names a header too, as RFC 9110 reads it).
        String two = post("Host: ee2\r\nConnection: keep-alive\r\n" + lines, body) + "\r\n\r\n"
                + post(lines + "Close: x\r\nConnection: close\r\n", body);
        for (int readSize : new int[] {1, 2, 3, 7, 64, 100_000}) {
            Decoded decoded = decode(two, readSize);
            assertThat(decoded.requests()).as("reads of %d bytes", readSize).hasSize(2);
            for (FullHttpRequest r : decoded.requests()) {
                assertThat(ClientHead.of(r)).as("reads of %d bytes", readSize).isNotNull();
                assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
                assertThat(build(r)).as("reads of %d bytes", readSize).isEqualTo(forwarded(lines, body, IP));
            }
            decoded.assertReleased();
        }
    }

    @Test
    void theKeptHeadIsExactlyTheRequestsBytes() {
        String head = "GET /x?y=1 HTTP/1.1\r\nHost: a\r\nX-A:b\r\n\r\n";
        Decoded decoded = decode("\r\n\r\n" + head + head, 5);
        assertThat(decoded.requests()).hasSize(2);
        for (FullHttpRequest r : decoded.requests()) {
            ClientHead kept = ClientHead.of(r);
            assertThat(new String(kept.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo(head);
            assertThat(kept.headers()).isEqualTo(2);
            r.release();
        }
        decoded.assertReleased();
    }

    @Test
    void aWaitingCallKeepsItsHeadWhenCompacted() {
        String body = "{\"n\": 1}";
        Decoded decoded = decode(post("X-Spaced:  s \r\n", body), 1000);
        CallInProgress call = new CallInProgress();
        call.begin(decoded.only());
        call.compactForWait();
        decoded.assertReleased(); // the decoded request and its read buffer are let go at once
        FullHttpRequest compact = call.request();
        assertThat(ClientHead.of(compact)).isNotNull();
        Ee2Request ee2 = REQUESTS.build(compact, IP, ByteBufAllocator.DEFAULT);
        assertThat(ee2.head().toString(StandardCharsets.ISO_8859_1)).isEqualTo(forwarded("X-Spaced:  s \r\n", body, IP));
        assertThat(ee2.body().toString(StandardCharsets.UTF_8)).isEqualTo(body);
        ee2.release();
        call.end();
        assertThat(compact.refCnt()).isZero();
    }

    @Test
    void headsThatAreNotPlainAreLeftToTheRewrite() {
        HttpRequest decoded = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        decoded.headers().add("A", "1").add("B", "2");
        String plain = "POST / HTTP/1.1\r\nA: 1\r\nB:2\r\n\r\n";
        assertThat(splices(plain, 2, decoded)).isTrue();
        assertThat(splices(plain, 3, decoded)).as("a count the decoder disagrees with").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA: 1\nB: 2\r\n\r\n", 2, decoded)).as("a bare LF").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA : 1\r\nB: 2\r\n\r\n", 2, decoded)).as("a space before the colon").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA: 1\r\n 1\r\nB: 2\r\n\r\n", 2, decoded)).as("obs-fold").isFalse();
        assertThat(splices("POST  / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", 2, decoded)).as("two spaces in the request line").isFalse();
        assertThat(splices("POST /x HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", 2, decoded)).as("another target").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\n", 2, decoded)).as("no blank line").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\nX", 2, decoded)).as("bytes after the blank line").isFalse();
        assertThat(splices("POST / HTTP/1.1\r\nA: 1\r\nNoColon\r\n\r\n", 2, decoded)).as("no colon").isFalse();
        HttpRequest forwardedFor = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        forwardedFor.headers().add("X-Forwarded-For", "1.1.1.1").add("Connection", "X-Forwarded-For");
        assertThat(splices("POST / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nConnection: X-Forwarded-For\r\n\r\n", 2, forwardedFor))
                .as("X-Forwarded-For named by Connection").isFalse();
    }

    private static boolean splices(String head, int headers, HttpRequest decoded) {
        ByteBuf out = Unpooled.buffer();
        try {
            boolean spliced = HeadSplice.write(out, new ClientHead(head.getBytes(StandardCharsets.ISO_8859_1), headers), decoded,
                    decoded.uri(), "h", 0, IP);
            if (!spliced) {
                assertThat(out.readableBytes()).as("nothing written when not spliced").isZero();
            }
            return spliced;
        } finally {
            out.release();
        }
    }

    @Test
    void theRewriteOfANonPlainHeadIsWhatEveryHeadGotBefore() {
        String body = "{}";
        Decoded folded = decode(post("X-Folded: a\r\n\tb\r\nX-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\n", body), 4);
        assertThat(build(folded.only())).isEqualTo(forwarded("X-Folded: a b\r\n", body, "1.2.3.4, 5.6.7.8, " + IP));
        folded.assertReleased();
    }

    @Test
    void theEightBytesAtATimeSearchFindsTheFirstLineFeed() {
        // Neighbours of LF and bytes with the high bit set are where such a search goes wrong.
        byte[] alphabet = {'\n', '\r', 0x0B, 0x09, (byte) 0x8A, (byte) 0xFF, 0x00, 'a', (byte) (0x0A ^ 0x80)};
        Random random = new Random(15);
        for (int length = 0; length <= 40; length++) {
            for (int trial = 0; trial < 300; trial++) {
                byte[] raw = new byte[length];
                for (int i = 0; i < length; i++) {
                    raw[i] = alphabet[random.nextInt(random.nextBoolean() ? alphabet.length : 3)];
                }
                for (int from = 0; from <= length; from++) {
                    int expected = -1;
                    for (int i = from; i < length; i++) {
                        if (raw[i] == '\n') {
                            expected = i;
                            break;
                        }
                    }
                    if (HeadSplice.indexOfLf(raw, from) != expected) { // assertThat per case would be most of the test's time
                        assertThat(HeadSplice.indexOfLf(raw, from)).as("%s from %d", Arrays.toString(raw), from).isEqualTo(expected);
                    }
                }
            }
        }
    }
}
