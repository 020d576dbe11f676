package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.testing.Await;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * A replica on Redis is not ready ({@code /health} 503, with the reason) until its ledger has
 * connected, loaded its scripts and answered; it starts while Redis is down and turns ready by
 * itself once Redis answers, with the scripts already loaded before the first decision.
 */
class LedgerReadinessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void notReadyWhileRedisIsDownThenReadyWithTheScriptsLoaded() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            redis.stop();
            try (ProxyExtension proxy = ProxyExtension.withSimulator(b -> b).admission(AdmissionPolicy.defaults())
                    .redis(redis.uri(), "ready").build().start()) {
                HttpResponse<String> down = get(proxy);
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).startsWith("{\"status\": \"not ready\", \"reason\": \"the Redis ledger at "
                        + "redis://127.0.0.1:" + redis.port() + " is not ready: ");

                redis.restart();
                assertThat(redis.reply("SCRIPT", "EXISTS", acquireSha())).isEqualTo(":0");
                Await.await("ready once Redis answers", Duration.ofSeconds(60), () -> get(proxy).statusCode() == 200);
                assertThat(get(proxy).body()).isEqualTo("{\"status\": \"ok\", \"ledger\": \"Redis at redis://127.0.0.1:"
                        + redis.port() + " answering\"}");
                // Loaded at start-up, before any decision: the first run_job goes by EVALSHA at once.
                assertThat(redis.reply("SCRIPT", "EXISTS", acquireSha())).isEqualTo(":1");
            }
        }
    }

    @Test
    void theInMemoryLedgerIsReadyAtOnce() throws Exception {
        try (ProxyExtension proxy = ProxyExtension.withSimulator(b -> b).admission(AdmissionPolicy.defaults()).build()
                .start()) {
            HttpResponse<String> r = get(proxy);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\": \"ok\"}");
        }
    }

    /** The SHA-1 of the acquire script as the ledger sends it (prelude + body). */
    private static String acquireSha() {
        return us.kbase.ee2proxy.ledger.LedgerScriptsForTests.acquireSha();
    }

    private static HttpResponse<String> get(ProxyExtension proxy) {
        try {
            return HTTP.send(HttpRequest.newBuilder(proxy.adminUrl("/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
