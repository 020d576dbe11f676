package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.SelfSignedCert;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.tracking.Ee2Client;

/** An https EE2 with a self-signed certificate: trusted through upstream.trustCaFile, refused otherwise. */
class TlsUpstreamTest {
    private static final byte[] VER = "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    private static SelfSignedCert cert;
    private static TestUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSignedCert.create(dir);
        upstream = new TestUpstream(TestUpstream.EE2_OK, cert.serverContext());
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private static RawHttp.Response callThrough(URI upstreamUrl, Path trust, boolean verifyHostname) throws Exception {
        ProxyExtension.Builder trusting = ProxyExtension.inFrontOf(upstreamUrl).config(c -> {
            UpstreamConfig u = c.upstream();
            return c.withUpstream(new UpstreamConfig(u.url(), trust, verifyHostname, u.maxConnectionsPerLoop(),
                    u.poolIdleTimeout()));
        });
        try (ProxyExtension proxy = trusting.build().start(); RawHttp client = new RawHttp(proxy.url())) {
            return client.send(RawHttp.post("/", VER)).read();
        }
    }

    @Test
    void trustedSelfSignedUpstreamAnswersThroughTheProxy() throws Exception {
        RawHttp.Response r = callThrough(upstream.url(), cert.certificatePem(), true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("\"result\": [\"ok\"]");
        assertThat(upstream.next().header("Host")).isEqualTo("localhost:" + upstream.port());
    }

    @Test
    void untrustedCertificateIsAnEe2ShapedError() throws Exception {
        RawHttp.Response r = callThrough(upstream.url(), null, true);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.bodyText()).contains("could not reach Execution Engine 2 at https://localhost:")
                .contains("TLS failed").contains("no job was submitted");
    }

    @Test
    void hostnameVerificationIsOnUnlessSwitchedOff() throws Exception {
        URI byIp = URI.create("https://127.0.0.1:" + upstream.port() + "/");
        RawHttp.Response refused = callThrough(byIp, cert.certificatePem(), true);
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.bodyText()).contains("TLS failed");
        assertThat(callThrough(byIp, cert.certificatePem(), false).status()).isEqualTo(200);
    }

    @Test
    void theProxysOwnEe2CallsFollowTheSameTrustAndHostnameSettings() throws Exception {
        URI byIp = URI.create("https://127.0.0.1:" + upstream.port() + "/");
        Ee2Client strict = new Ee2Client(new UpstreamConfig(byIp, cert.certificatePem(), true, 1, Duration.ofSeconds(1)),
                Duration.ofSeconds(10));
        assertThat(strict.checkJob("token", "job-1")).failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(ExecutionException.class)
                .satisfies(e -> assertThat(tlsRefused(e)).as("refused in the TLS handshake: %s", e).isTrue());
        assertThat(upstream.poll(200)).as("nothing reached EE2 over an unverified name").isNull();

        Ee2Client lenient = new Ee2Client(new UpstreamConfig(byIp, cert.certificatePem(), false, 1, Duration.ofSeconds(1)),
                Duration.ofSeconds(10));
        lenient.checkJob("token", "job-1").handle((job, error) -> null).get(20, TimeUnit.SECONDS);
        TestUpstream.Received call = upstream.poll(10_000);
        assertThat(call).as("the call reached EE2 with hostname verification off").isNotNull();
        assertThat(call.bodyText()).contains("execution_engine2.check_job");

        Ee2Client untrusted = new Ee2Client(new UpstreamConfig(byIp, null, false, 1, Duration.ofSeconds(1)),
                Duration.ofSeconds(10));
        assertThat(untrusted.checkJob("token", "job-1")).failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(ExecutionException.class)
                .satisfies(e -> assertThat(tlsRefused(e)).as("refused in the TLS handshake: %s", e).isTrue());
    }

    /** Whether the failure was the TLS handshake (chain or name refused), somewhere in its causes. */
    private static boolean tlsRefused(Throwable t) {
        for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }
}
