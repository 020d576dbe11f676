package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.testing.Await;

/** A Redis with {@code requirepass}: the URL's password (or the environment's) gets in, none does not. */
class RedisCredentialsTest {
    private static final RedisLedgerSettings SETTINGS =
            new RedisLedgerSettings("creds", Duration.ofSeconds(2), LeaseTerms.DEFAULT);

    @Test
    void thePasswordInTheUrlAuthenticatesAndNeverShows() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start(RedisServerProcess.Options.with("--requirepass", "s3cr%t"))) {
            RedisAddress right = RedisAddress.parse(URI.create("redis://:s3cr%25t@127.0.0.1:" + redis.port()));
            try (RedisSlotLedger ledger = RedisSlotLedger.connect(right, RedisTls.DEFAULT, SETTINGS, new MetricRegistry())) {
                LedgerWarmUp warmUp = LedgerWarmUp.start(ledger, right.toString(), Duration.ofMillis(200));
                SlotLedgerContract.get(warmUp.whenReady());
                assertThat(SlotLedgerContract.get(ledger.tryAcquire("alice", "t", SlotLedgerContract.plain("x"))).admitted())
                        .isTrue();
                assertThat(warmUp.state()).doesNotContain("s3cr");
            }
            RedisAddress none = RedisAddress.parse(redis.uri());
            try (RedisSlotLedger ledger = RedisSlotLedger.connect(none, RedisTls.DEFAULT, SETTINGS, new MetricRegistry())) {
                LedgerWarmUp warmUp = LedgerWarmUp.start(ledger, none.toString(), Duration.ofMillis(200));
                Await.await("a failed attempt", Duration.ofSeconds(30), () -> warmUp.state().contains("failed"));
                assertThat(warmUp.ready()).isFalse();
                assertThat(warmUp.state()).contains("NOAUTH");
                warmUp.stop();
            }
        }
    }
}
