package us.kbase.ee2proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.config.HostPort;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.frontend.ProxyServer;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.testing.LoopbackConfig;

class AdminServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).build();

    private static HttpResponse<String> admin(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsArePrometheusTextWithMethodAndKindLabels() throws Exception {
        try (RawHttp client = new RawHttp(proxy.url())) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.send(RawHttp.post("/", "{\"method\": \"execution_engine2.ver\", \"params\": [], \"id\": \"1\"}"
                        .getBytes(StandardCharsets.UTF_8))).read().status()).isEqualTo(200);
            }
            client.send("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n").read();
        }
        HttpResponse<String> r = admin("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(r.body())
                .containsPattern("ee2proxy_requests_[a-z_]+_total 3.0")
                .contains("ee2proxy_errors_malformed_request_total 1.0")
                .contains("ee2proxy_errors_upstream_timeout_total 0.0")
                .contains("ee2proxy_upstream_seconds_")
                .contains("ee2proxy_connections_open")
                .contains("ee2proxy_upstream_connections_open");
    }

    @Test
    void healthAnswers() throws Exception {
        HttpResponse<String> r = admin("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\": \"ok\"}");
        assertThat(admin("/nothing").statusCode()).isEqualTo(404);
        HttpResponse<String> live = admin("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\": \"ok\"}");
    }

    @Test
    void healthIs503WithTheReasonUntilReadyAndThenSaysWhatTheLedgerDoes() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Readiness.Status> now = new java.util.concurrent.atomic.AtomicReference<>(
                new Readiness.Status(false, "the Redis ledger at redis://10.0.0.1:6379 is not ready: \"connect\" failed"));
        try (ProxyServer p = ProxyServer.builder(LoopbackConfig.of(proxy.upstream().url())).readiness(now::get).build().start()) {
            URI health = URI.create("http://127.0.0.1:" + p.adminPort() + "/health");
            HttpResponse<String> notReady = HTTP.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("{\"status\": \"not ready\", \"reason\": \"the Redis ledger at "
                    + "redis://10.0.0.1:6379 is not ready: \\\"connect\\\" failed\"}");
            // Liveness never depends on Redis.
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.adminPort() + "/health/live"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            now.set(new Readiness.Status(true, "Redis at redis://10.0.0.1:6379 answering"));
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\": \"ok\", \"ledger\": \"Redis at redis://10.0.0.1:6379 answering\"}");
        }
    }

    @Test
    void adminBindsLoopbackByDefault() {
        assertThat(ProxyConfig.DEFAULT_ADMIN.host()).isEqualTo("127.0.0.1");
    }

    @Test
    void adminPortInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ProxyServer.Builder b = ProxyServer.builder(ProxyConfig.defaults(proxy.upstream().url())
                    .withListen(new HostPort("127.0.0.1", 0)).withAdmin(new HostPort("127.0.0.1", taken.getLocalPort())));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.build().start())
                    .hasMessageContaining("admin: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
