package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * The client's head reaches EE2 as the bytes it arrived as (issue 15): header order, case and
 * spacing, over real sockets, with only Host, Content-Length, Expect, the hop-by-hop headers and
 * X-Forwarded-For edited; a head that is not plain takes the re-written way and still arrives right.
 */
class HeadBytesTest {
    private static final String BODY = "{\"method\": \"execution_engine2.check_job_canceled\", \"params\": [{\"job_id\": \"1\"}], \"id\": \"7\"}";

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();

    @BeforeEach
    void drain() throws InterruptedException {
        while (proxy.upstream().poll(0) != null) {
            // forget requests of earlier tests
        }
    }

    private static String host() {
        return "host: 127.0.0.1:" + proxy.upstream().port() + "\r\n"; // as the proxy writes it (HttpHeaderNames)
    }

    /** The head EE2 should get for {@code lines} (each with its CRLF), forwarded untouched. */
    private static String forwarded(String requestLine, String lines, String forwardedFor) {
        return requestLine + host() + lines + "content-length: " + BODY.length() + "\r\n"
                + "X-Forwarded-For: " + forwardedFor + "\r\n\r\n";
    }

    private static String request(String lines) {
        return "POST / HTTP/1.1\r\n" + lines + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;
    }

    @Test
    void orderCaseAndSpacingCrossByteForByte() throws Exception {
        String kept = "x-lower: a\r\nX-MiXeD-CaSe:no-space\r\nX-Spaced:   two  inner  spaces   \r\n"
                + "Authorization: tok\r\nX-Tab:\tt\r\nContent-Type: application/json\r\nX-Empty:\r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(request("Host: ee2\r\n" + kept)).read().status()).isEqualTo(200);
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.headText()).isEqualTo(forwarded("POST / HTTP/1.1\r\n", kept, "127.0.0.1"));
        assertThat(got.bodyText()).isEqualTo(BODY);
    }

    @Test
    void aHeadSentOneByteAtATimeArrivesTheSame() throws Exception {
        String kept = "User-Agent: JobRunner/1.0\r\nAuthorization: tok\r\nX-Spaced:  v  \r\nAccept: */*\r\n";
        byte[] bytes = request("Host: ee2\r\n" + kept).getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true); // one segment per byte: the proxy reads the head in many reads
            socket.setSoTimeout(20_000);
            socket.connect(new InetSocketAddress(proxy.url().getHost(), proxy.url().getPort()), 20_000);
            OutputStream out = socket.getOutputStream();
            for (byte b : bytes) {
                out.write(b);
                out.flush();
            }
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertThat(status).isEqualTo("HTTP/1.1 200");
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.headText()).isEqualTo(forwarded("POST / HTTP/1.1\r\n", kept, "127.0.0.1"));
        assertThat(got.bodyText()).isEqualTo(BODY);
    }

    @Test
    void pipelinedHeadsWithBlankLinesBetweenThemArriveAsSent() throws Exception {
        // Some clients send a CRLF after a body; the decoder skips it, and so does the kept head.
        String first = "X-N: 1\r\n";
        String second = "x-n:2\r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send(request(first) + "\r\n" + request(second));
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().headText()).isEqualTo(forwarded("POST / HTTP/1.1\r\n", first, "127.0.0.1"));
        assertThat(proxy.upstream().next().headText()).isEqualTo(forwarded("POST / HTTP/1.1\r\n", second, "127.0.0.1"));
    }

    @Test
    void repeatedForwardedForLinesFoldIntoOneWithTheClientAppended() throws Exception {
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(request("X-Forwarded-For: 10.0.0.1\r\nX-A: a\r\nx-forwarded-for:  10.0.0.2 \r\n"))
                    .read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().headText())
                .isEqualTo(forwarded("POST / HTTP/1.1\r\n", "X-A: a\r\n", "10.0.0.1, 10.0.0.2, 127.0.0.1"));
    }

    @Test
    void hopByHopLinesAndTheNamesConnectionListsAreRemoved() throws Exception {
        String sent = "X-Private: drop me\r\nConnection: keep-alive,  x-private , X-Other\r\nKeep-Alive: timeout=5\r\n"
                + "X-Kept: yes\r\nTE: trailers\r\nx-other: also dropped\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n"
                + "Trailer: X-T\r\nExpect: 100-continue\r\nX-Last: 1\r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(request(sent)).read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().headText())
                .isEqualTo(forwarded("POST / HTTP/1.1\r\n", "X-Kept: yes\r\nX-Last: 1\r\n", "127.0.0.1"));
    }

    @Test
    void aFoldedHeadIsRewrittenFromItsDecodedHeaders() throws Exception {
        // obs-fold: Netty joins the continuation with one space. The head is not plain, so the whole
        // head is re-written: spacing is then the decoder's (X-Spaced loses its extra spaces).
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(request("X-Folded: a\r\n   b\r\nX-Spaced:   x  \r\n")).read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().headText())
                .isEqualTo(forwarded("POST / HTTP/1.1\r\n", "X-Folded: a b\r\nX-Spaced: x\r\n", "127.0.0.1"));
    }

    @Test
    void aBareLineFeedIsRefusedByTheDecoderAndNeverForwarded() throws Exception {
        // Netty's strict line parsing (on by default) refuses it: what is forwarded never has one.
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Response r = client.send("POST / HTTP/1.1\r\nHost: ee2\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY).read();
            assertThat(r.status()).isEqualTo(500); // EE2-shaped, as for any malformed request (FailureTest)
            assertThat(r.bodyText()).contains("could not read the HTTP request");
        }
        assertThat(proxy.upstream().poll(500)).isNull();
    }

    @Test
    void anHttp10RequestLineIsRewrittenAndItsHeaderLinesKept() throws Exception {
        String kept = "X-Spaced:  v \r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            String req = "POST /any?q=1 HTTP/1.0\r\n" + kept + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;
            assertThat(client.send(req).read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().headText()).isEqualTo(forwarded("POST /any?q=1 HTTP/1.1\r\n", kept, "127.0.0.1"));
    }

    @Test
    void aChunkedBodyArrivesWithItsHeadKeptAndAContentLength() throws IOException, InterruptedException {
        String kept = "X-Spaced:  v \r\n";
        String chunked = "POST / HTTP/1.1\r\n" + kept + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(10) + "\r\n" + BODY.substring(0, 10) + "\r\n"
                + Integer.toHexString(BODY.length() - 10) + "\r\n" + BODY.substring(10) + "\r\n0\r\nX-Trailer: t\r\n\r\n";
        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send(chunked).read().status()).isEqualTo(200);
        }
        TestUpstream.Received got = proxy.upstream().next();
        assertThat(got.headText()).isEqualTo(forwarded("POST / HTTP/1.1\r\n", kept, "127.0.0.1"));
        assertThat(got.bodyText()).isEqualTo(BODY);
    }
}
