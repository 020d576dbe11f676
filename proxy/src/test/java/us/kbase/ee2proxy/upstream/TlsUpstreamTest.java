package us.kbase.ee2proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.config.UpstreamConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.SelfSignedCert;
import us.kbase.ee2proxy.testing.TestUpstream;

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
        ProxyConfig base = ProxyConfig.defaults(upstreamUrl);
        UpstreamConfig u = base.upstream();
        ProxyConfig config = base.withUpstream(new UpstreamConfig(u.url(), trust, verifyHostname, u.maxConnectionsPerLoop(),
                        u.poolIdleTimeout()))
                .withListen(new HostPort("127.0.0.1", 0)).withAdmin(new HostPort("127.0.0.1", 0));
        try (ProxyServer proxy = ProxyServer.builder(config).build().start(); RawHttp client = new RawHttp(proxy.url())) {
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
}
