package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.ledger.ChildBoundContract.get;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisMonitor;
import us.kbase.ee2proxy.testing.Await;

/**
 * What one job costs on a Redis Cluster, counted by MONITOR on every master (commands clients
 * sent; what a script ran is not counted): the generation key and a job's owner key are in other
 * slots than the user's keys, so a script cannot touch them. The acquire's generation read and the
 * bind's owner index go with their script (one round trip each: see RedisSlotLedger), and the
 * runner's finish of its own job is the claimant's slot script then the owner key's delete. Six
 * commands (it was seven, each its own round trip), checked step by step so that a change that adds
 * a call to a job's path fails here. MONITOR cannot see which were sent together; the code can.
 */
class ClusterRoundTripsTest {
    private static RedisCluster cluster;
    private static RedissonClient client;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
        client = RedisClients.create(RedisAddress.parse(cluster.uri()), RedisTls.DEFAULT, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anAdmittedBoundAndFinishedJobCostsSixCommands() {
        RedisSlotLedger shared = new RedisSlotLedger(client,
                new RedisLedgerSettings("ctrips", Duration.ofSeconds(2), LeaseTerms.DEFAULT), new MetricRegistry());
        // No probe during the count: the first one (at once) reads the generation, the next in an hour.
        try (ResilientLedger ledger = new ResilientLedger(shared, () -> RedisFailureMode.WAIT, LeaseTerms.DEFAULT,
                false, Duration.ofHours(1), new MetricRegistry())) {
            Await.await("Redis decides", ledger::redisDecides);
            get(shared.subscribed());
            get(shared.connectAndLoadScripts(Duration.ofSeconds(10)));
            SlotDemand demand = new SlotDemand(List.of(SlotClaim.job("kb_Plain.run")), SlotDemand.UNLIMITED, 5);
            List<RedisMonitor> monitors = cluster.nodes().stream()
                    .filter(n -> n.reply("ROLE").startsWith("master")).map(RedisMonitor::new).toList();
            try {
                assertThat(get(ledger.tryAcquire("alice", "t1", demand)).admitted()).isTrue();
                assertThat(sent(monitors)).as("the decision and the generation read with it").hasSize(2)
                        .anySatisfy(line -> assertThat(line).startsWith("\"EVALSHA\"").contains(sha("acquire")))
                        .anySatisfy(line -> assertThat(line).contains("ctrips:generation"));

                assertThat(get(ledger.bind("alice", "t1", List.of("job-1")))).containsExactly("job-1");
                assertThat(sent(monitors)).as("the bind and the job's owner index sent with it").hasSize(2)
                        .anySatisfy(line -> assertThat(line).startsWith("\"EVALSHA\"").contains(sha("bind")))
                        .anySatisfy(line -> assertThat(line).contains(ownerSha()).contains("ctrips:job:{job-1}"));

                assertThat(get(ledger.releaseJobOf("alice", "job-1")).freed()).isTrue();
                assertThat(sent(monitors)).as("the finish in alice's slot, then the owner key's delete").hasSize(2)
                        .anySatisfy(line -> assertThat(line).startsWith("\"EVALSHA\"").contains(sha("finish_own")))
                        .anySatisfy(line -> assertThat(line).startsWith("\"DEL\"").contains("ctrips:job:{job-1}"));
            } finally {
                monitors.forEach(RedisMonitor::close);
            }
            assertThat(get(ledger.jobOwner("job-1"))).isEmpty();
            assertThat(get(ledger.counts("alice")).jobs()).isZero();
        }
    }

    private static List<String> sent(List<RedisMonitor> monitors) {
        List<String> all = new ArrayList<>();
        monitors.forEach(m -> all.addAll(m.sentSoFar("ctrips:")));
        return all;
    }

    private static String sha(String script) {
        return LedgerScript.load(script, RScript.Mode.READ_WRITE, RScript.ReturnType.LIST).sha();
    }

    private static String ownerSha() {
        return LedgerScript.ownerScript("owner_index", RScript.Mode.READ_WRITE, RScript.ReturnType.LONG).sha();
    }
}
