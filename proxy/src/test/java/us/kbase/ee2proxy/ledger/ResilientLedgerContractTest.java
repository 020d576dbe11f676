package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.redis.RedisServerExtension;

/** While Redis answers, the outage wrapper is just the shared ledger: same contract. */
class ResilientLedgerContractTest extends SlotLedgerContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedissonClient client;
    private final Map<SlotLedger, RedisSlotLedger> sharedOf = new IdentityHashMap<>();

    @BeforeAll
    static void connect() {
        client = LedgerRedis.client(REDIS.server().uri(), Duration.ofSeconds(2));
    }

    @AfterAll
    static void disconnect() {
        client.shutdown();
    }

    @Override
    protected SlotLedger create(LeaseTerms terms) {
        RedisLedgerSettings settings = new RedisLedgerSettings("r" + PREFIXES.incrementAndGet(), Duration.ofSeconds(2), terms);
        RedisSlotLedger shared = new RedisSlotLedger(client, settings, new MetricRegistry());
        ResilientLedger ledger = new ResilientLedger(
                shared, () -> RedisFailureMode.WAIT, terms, false, Duration.ofMillis(200), new MetricRegistry());
        sharedOf.put(ledger, shared);
        // Redis decides once this replica has read its generation (at once, on its first probe).
        us.kbase.ee2proxy.testing.Await.await("Redis decides", ledger::redisDecides);
        return ledger;
    }

    @Override
    protected void ready(SlotLedger ledger) {
        get(sharedOf.get(ledger).subscribed());
    }
}
