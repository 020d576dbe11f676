package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.redis.RedisTlsCert;

/**
 * The ledger contract over TLS ({@code rediss://}) to a real redis-server's TLS port, trusting a
 * throwaway certificate through {@code admission.redisTls.trustCaFile}, hostname checked; and a
 * server whose certificate is not trusted never makes the ledger ready.
 */
class RedisTlsLedgerTest extends SlotLedgerContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static Path dir;
    private static RedisTlsCert cert;
    private static RedisServerProcess redis;
    private static RedissonClient client;

    @BeforeAll
    static void startTlsRedis() throws Exception {
        dir = Files.createTempDirectory("redis-tls");
        cert = RedisTlsCert.create(dir);
        redis = RedisServerProcess.start(new RedisServerProcess.Options(List.of(), null, cert.files()));
        client = RedisClients.create(RedisAddress.parse(redis.tlsUri()), new RedisTls(cert.caFile(), true),
                Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopTlsRedis() {
        if (client != null) {
            client.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected SlotLedger create(LeaseTerms terms) {
        return new RedisSlotLedger(client, new RedisLedgerSettings("tls" + PREFIXES.incrementAndGet(),
                Duration.ofSeconds(2), terms), new MetricRegistry());
    }

    @Override
    protected void ready(SlotLedger ledger) {
        get(((RedisSlotLedger) ledger).subscribed());
    }

    @Test
    void theWarmUpConnectsOverTlsAndLoadsTheScripts() {
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(redis.tlsUri()),
                new RedisTls(cert.caFile(), true), new RedisLedgerSettings("warm", Duration.ofMillis(500), LeaseTerms.DEFAULT),
                new MetricRegistry())) {
            LedgerWarmUp warmUp = LedgerWarmUp.start(ledger, "tls", Duration.ofMillis(200));
            get(warmUp.whenReady());
            assertThat(warmUp.state()).isEqualTo("Redis at tls answering");
            assertThat(redis.reply("SCRIPT", "EXISTS", LedgerScriptsForTests.acquireSha())).isEqualTo(":1");
        }
    }

    @Test
    void anUntrustedCertificateNeverMakesTheLedgerReady() throws Exception {
        // The JDK's own trust store does not know the throwaway certificate.
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(redis.tlsUri()), RedisTls.DEFAULT,
                new RedisLedgerSettings("untrusted", Duration.ofMillis(500), LeaseTerms.DEFAULT), new MetricRegistry())) {
            LedgerWarmUp warmUp = LedgerWarmUp.start(ledger, "tls", Duration.ofMillis(200));
            us.kbase.ee2proxy.testing.Await.await("a failed attempt", Duration.ofSeconds(30),
                    () -> warmUp.state().contains("failed"));
            assertThat(warmUp.ready()).isFalse();
            warmUp.stop();
        }
    }
}
