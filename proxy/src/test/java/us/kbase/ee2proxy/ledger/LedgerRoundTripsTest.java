package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.ledger.ChildBoundContract.get;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.redis.RedisMonitor;
import us.kbase.ee2proxy.redis.RedisServerExtension;
import us.kbase.ee2proxy.testing.Await;

/**
 * What one job costs in Redis round trips on one server, counted by MONITOR (commands a client
 * sent; those a script ran are not round trips): the decision, the bind and the finish are one
 * script each (and the status page's refresh after a release one more). A change that adds a call to a job's path fails here.
 */
class LedgerRoundTripsTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static RedissonClient client;

    @BeforeAll
    static void connect() {
        client = LedgerRedis.client(REDIS.server().uri(), Duration.ofSeconds(2));
    }

    @AfterAll
    static void disconnect() {
        client.shutdown();
    }

    @Test
    void anAdmittedBoundAndFinishedJobCostsThreeScriptCalls() {
        RedisSlotLedger shared = new RedisSlotLedger(client,
                new RedisLedgerSettings("trips", Duration.ofSeconds(2), LeaseTerms.DEFAULT), new MetricRegistry());
        // No probe during the count: the first one (at once) reads the generation, the next in an hour.
        try (ResilientLedger ledger = new ResilientLedger(shared, () -> RedisFailureMode.WAIT, LeaseTerms.DEFAULT,
                false, Duration.ofHours(1), new MetricRegistry())) {
            Await.await("Redis decides", ledger::redisDecides);
            get(shared.subscribed());
            get(shared.connectAndLoadScripts(Duration.ofSeconds(10)));
            SlotDemand demand = new SlotDemand(List.of(SlotClaim.job("kb_Plain.run")), SlotDemand.UNLIMITED, 5);
            try (RedisMonitor monitor = new RedisMonitor(REDIS.server())) {
                assertThat(get(ledger.tryAcquire("alice", "t1", demand)).admitted()).isTrue();
                assertThat(get(ledger.bind("alice", "t1", List.of("job-1")))).containsExactly("job-1");
                assertThat(get(ledger.releaseJobOf("alice", "job-1")).freed()).isTrue();

                assertThat(monitor.sentSoFar("trips:")).as("one EVALSHA each: acquire, bind, finish")
                        .hasSize(3)
                        .allSatisfy(line -> assertThat(line).startsWith("\"EVALSHA\""))
                        .satisfies(lines -> {
                            assertThat(lines.get(0)).contains(sha("acquire"));
                            assertThat(lines.get(1)).contains(sha("bind"));
                            assertThat(lines.get(2)).contains(sha("finish"));
                        });

                // What a status page or a parallel app's classification reads after a release.
                assertThat(get(ledger.leases("alice")).counts()).isEqualTo(UserCounts.ZERO);
                assertThat(monitor.sentSoFar("trips:")).singleElement().asString().contains(sha("leases"));
            }
            assertThat(get(ledger.counts("alice"))).isEqualTo(UserCounts.ZERO);
            assertThat(get(ledger.jobOwner("job-1"))).isEmpty();
        }
    }

    private static String sha(String script) {
        return LedgerScript.load(script, RScript.Mode.READ_WRITE, RScript.ReturnType.LIST).sha();
    }
}
