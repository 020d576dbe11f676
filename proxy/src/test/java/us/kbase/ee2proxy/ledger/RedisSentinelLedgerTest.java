package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.redis.RedisSentinels;

/**
 * The ledger contract on a real Sentinel deployment (a master, 2 replicas, 3 sentinels), through
 * Redisson's sentinel mode as {@code redis+sentinel://.../mymaster} configures it.
 */
class RedisSentinelLedgerTest extends SlotLedgerContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisSentinels sentinels;
    private static RedissonClient client;

    @BeforeAll
    static void startSentinels() {
        sentinels = RedisSentinels.start();
        client = RedisClients.create(RedisAddress.parse(sentinels.uri()), RedisTls.DEFAULT, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopSentinels() {
        if (client != null) {
            client.shutdown();
        }
        if (sentinels != null) {
            sentinels.close();
        }
    }

    @Override
    protected SlotLedger create(LeaseTerms terms) {
        return new RedisSlotLedger(client, new RedisLedgerSettings("s" + PREFIXES.incrementAndGet(),
                Duration.ofSeconds(2), terms), new MetricRegistry());
    }

    @Override
    protected void ready(SlotLedger ledger) {
        get(((RedisSlotLedger) ledger).subscribed());
    }

    @Test
    void leasesAreWrittenOnTheMasterTheSentinelsName() {
        SlotLedger ledger = ledger();
        get(ledger.tryAcquire("alice", "t", parent(0, "kb_Bowtie2", 5)));
        get(ledger.bind("alice", "t", List.of("job-1")));
        String key = "s" + PREFIXES.get() + ":job:{job-1}";
        assertThat(sentinels.master().command("EXISTS", key)).isEqualTo(":1");
    }
}
