package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.redis.RedisCluster;

/**
 * The ledger contract on a real Redis Cluster (3 masters, a replica each), through Redisson's
 * cluster mode as {@code redis+cluster://} configures it: each user's keys in one slot, wake-ups
 * across nodes, users found on every master.
 */
class RedisClusterLedgerTest extends SlotLedgerContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisCluster cluster;
    private static RedissonClient replicaA;
    private static RedissonClient replicaB;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
        replicaA = client();
        replicaB = client();
    }

    @AfterAll
    static void stopCluster() {
        if (replicaA != null) {
            replicaA.shutdown();
            replicaB.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RedissonClient client() {
        return RedisClients.create(RedisAddress.parse(cluster.uri()), RedisTls.DEFAULT, Duration.ofSeconds(2));
    }

    private static RedisLedgerSettings settings(LeaseTerms terms) {
        return new RedisLedgerSettings("c" + PREFIXES.incrementAndGet(), Duration.ofSeconds(2), terms);
    }

    @Override
    protected SlotLedger create(LeaseTerms terms) {
        return new RedisSlotLedger(replicaA, settings(terms), new MetricRegistry());
    }

    @Override
    protected void ready(SlotLedger ledger) {
        get(((RedisSlotLedger) ledger).subscribed());
    }

    @Test
    void usersOnDifferentMastersAreDecidedAndFound() {
        SlotLedger ledger = ledger();
        // Names whose hash tags fall on each of the three masters.
        List<String> users = List.of("alice", "bob", "cal", "dee", "eve", "fay", "gus", "hal");
        assertThat(users.stream().map(u -> cluster.masterOf("{" + u + "}").address()).distinct().count()).isEqualTo(3);
        for (String user : users) {
            assertThat(get(ledger.tryAcquire(user, "t", parent(0, "kb_Bowtie2", 5))).admitted()).isTrue();
            get(ledger.bind(user, "t", List.of("job-" + user)));
        }
        assertThat(get(ledger.users())).isEqualTo(Set.copyOf(users));
        for (String user : users) {
            assertThat(get(ledger.jobOwner("job-" + user))).contains(user);
            assertThat(get(ledger.releaseJob("job-" + user))).isTrue();
        }
    }

    @Test
    void aReleaseOnOneReplicaWakesTheOtherAcrossNodes() {
        RedisLedgerSettings shared = settings(LeaseTerms.DEFAULT);
        RedisSlotLedger a = new RedisSlotLedger(replicaA, shared, new MetricRegistry());
        RedisSlotLedger b = new RedisSlotLedger(replicaB, shared, new MetricRegistry());
        try {
            ConcurrentLinkedQueue<String> wokenOnB = new ConcurrentLinkedQueue<>();
            b.onRelease(wokenOnB::add);
            get(b.subscribed());
            for (String user : List.of("alice", "bob", "cal", "dee")) {
                get(a.tryAcquire(user, "t", parent(0, "kb_Bowtie2", 5)));
                get(a.bind(user, "t", List.of("job-" + user)));
                assertThat(get(a.releaseJob("job-" + user))).isTrue();
            }
            await("b woken for users on every master", () -> wokenOnB.containsAll(List.of("alice", "bob", "cal", "dee")));
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void theWarmUpLoadsEveryScriptOnEveryMaster() {
        RedisLedgerSettings s = settings(LeaseTerms.DEFAULT);
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(cluster.uri()), RedisTls.DEFAULT, s,
                new MetricRegistry())) {
            cluster.nodes().forEach(n -> n.command("SCRIPT", "FLUSH"));
            LedgerWarmUp warmUp = LedgerWarmUp.start(ledger, "the cluster", Duration.ofMillis(200));
            get(warmUp.whenReady());
            assertThat(warmUp.ready()).isTrue();
            String sha = LedgerScript.load("acquire", org.redisson.api.RScript.Mode.READ_WRITE,
                    org.redisson.api.RScript.ReturnType.LIST).sha();
            // Replicas are not sent scripts (Redisson's SCRIPT LOAD goes to the masters, and Redis 7 does
            // not replicate it): a promoted replica gets each script by one EVAL after a NOSCRIPT.
            cluster.nodes().stream().filter(n -> n.reply("ROLE").startsWith("master"))
                    .forEach(n -> assertThat(n.reply("SCRIPT", "EXISTS", sha)).as(n.address()).isEqualTo(":1"));
        }
    }
}
