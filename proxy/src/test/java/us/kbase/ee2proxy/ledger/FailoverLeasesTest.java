package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisSentinels;
import us.kbase.ee2proxy.testing.Await;

/**
 * {@link FailoverLossProbe}'s loop as a test, through the ledger a replica uses: a tight loop of
 * run_jobs (a decision, the job "created at EE2" at once, its bind) while the master holding the
 * user's keys fails over. Before leases were written with WAIT and failovers were watched, a
 * {@code SENTINEL FAILOVER} lost hundreds to thousands of acknowledged leases in every run. Now,
 * once the rebuild from EE2 (here: adopting every job the loop created) has run, Redis counts
 * every job: 0 lost. The failover kinds that can lose writes must be noticed (a rebuild ran).
 */
class FailoverLeasesTest {
    private static final String USER = "alice";

    /** Each lease write is followed by a WAIT for both replicas, on the master, and they have it. */
    @Test
    void leaseWritesWaitForTheReplicas() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start();
                RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(sentinels.uri()), RedisTls.DEFAULT,
                        new RedisLedgerSettings("wait", Duration.ofSeconds(2), LeaseTerms.DEFAULT), new MetricRegistry())) {
            LedgerWarmUp.start(ledger, "sentinels", Duration.ofMillis(200)).whenReady().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            // The first acquire tells how many replicas the master has.
            ledger.tryAcquire(USER, "first", SlotLedgerContract.plain("x")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(ledger.replicasFor(USER)).as("replicas a lease write waits for").isEqualTo(2);
            long before = waits(sentinels.master());
            for (int i = 0; i < 10; i++) {
                ledger.tryAcquire(USER, "w" + i, SlotLedgerContract.plain("x")).toCompletableFuture().get(10, TimeUnit.SECONDS);
                ledger.bind(USER, "w" + i, List.of("wj" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThat(waits(sentinels.master()) - before).as("WAIT calls on the master for 20 lease writes")
                    .isGreaterThanOrEqualTo(20);
            for (var server : sentinels.servers()) {
                // WAIT answered: every replica has all 11 leases the moment the calls returned.
                assertThat(server.reply("ZCARD", "wait:{" + USER + "}:leases")).as("leases on %s", server.address())
                        .isIn("11", ":11");
            }
        }
    }

    /**
     * A replica of the master dies (SIGKILL): the writes waiting for it fail after the call
     * timeout, and Redis decides again, waiting only for the replica left.
     */
    @Test
    void aDeadReplicaStopsDecisionsOnlyBriefly() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            MetricRegistry metrics = new MetricRegistry();
            RedisSlotLedger shared = RedisSlotLedger.connect(RedisAddress.parse(sentinels.uri()), RedisTls.DEFAULT,
                    new RedisLedgerSettings("dead", Duration.ofSeconds(1), LeaseTerms.DEFAULT), metrics);
            LedgerWarmUp.start(shared, "sentinels", Duration.ofMillis(200)).whenReady().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            try (ResilientLedger ledger = new ResilientLedger(shared, () -> RedisFailureMode.WAIT, LeaseTerms.DEFAULT,
                    false, Duration.ofMillis(200), metrics)) {
                Await.await("Redis decides", Duration.ofSeconds(30), ledger::redisDecides);
                assertThat(ledger.tryAcquire(USER, "a", SlotLedgerContract.plain("x")).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS).admitted()).isTrue();
                assertThat(shared.replicasFor(USER)).isEqualTo(2);
                var master = sentinels.master();
                sentinels.servers().stream().filter(s -> s != master).findFirst().orElseThrow().kill();
                AtomicInteger i = new AtomicInteger();
                Await.await("admitted again with one replica dead", Duration.ofSeconds(30), () -> ledger.tryAcquire(USER,
                        "b" + i.incrementAndGet(), SlotLedgerContract.plain("x")).toCompletableFuture().join().admitted());
                assertThat(shared.replicasFor(USER)).as("replicas waited for").isEqualTo(1);
                for (int n = 0; n < 20; n++) {
                    assertThat(ledger.tryAcquire(USER, "c" + n, SlotLedgerContract.plain("x")).toCompletableFuture()
                            .get(10, TimeUnit.SECONDS).admitted()).as("decision %d after", n).isTrue();
                }
            }
        }
    }

    private static long waits(us.kbase.ee2proxy.redis.RedisServerProcess master) {
        for (String line : master.reply("INFO", "commandstats").split("\n")) {
            if (line.startsWith("cmdstat_wait:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_wait:calls=(\\d+),.*$", "$1").trim());
            }
        }
        return 0;
    }

    @Test
    void sentinelFailoverLosesNoLease() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            Outcome outcome = run(sentinels.uri(), sentinels::failOver);
            assertThat(outcome.failoversSeen).as("the failover noticed at a decision").isPositive();
            assertThat(outcome.rebuilds).as("rebuilt from EE2 after it").isPositive();
        }
    }

    @Test
    void sentinelMasterKilledLosesNoLease() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            Outcome outcome = run(sentinels.uri(), sentinels::killMaster);
            assertThat(outcome.failoversSeen).as("the failover noticed at a decision").isPositive();
        }
    }

    @Test
    void clusterFailoverLosesNoLease() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            run(cluster.uri(), () -> cluster.failOver(cluster.masterOf("{" + USER + "}")));
        }
    }

    @Test
    void clusterMasterKilledLosesNoLease() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            Outcome outcome = run(cluster.uri(), () -> cluster.killAndAwaitPromotion(cluster.masterOf("{" + USER + "}")));
            assertThat(outcome.failoversSeen).as("the failover noticed at a decision").isPositive();
        }
    }

    private record Outcome(int admitted, long failoversSeen, int rebuilds) {}

    private static Outcome run(URI redis, Runnable failover) throws Exception {
        RedisLedgerSettings settings = new RedisLedgerSettings("failover", Duration.ofSeconds(2), LeaseTerms.DEFAULT);
        MetricRegistry metrics = new MetricRegistry();
        RedisSlotLedger shared = RedisSlotLedger.connect(RedisAddress.parse(redis), RedisTls.DEFAULT, settings, metrics);
        LedgerWarmUp.start(shared, redis.toString(), Duration.ofMillis(200)).whenReady().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        try (ResilientLedger ledger = new ResilientLedger(shared, () -> RedisFailureMode.WAIT, LeaseTerms.DEFAULT, true,
                Duration.ofMillis(200), metrics)) {
            // EE2 as far as this test goes: every job whose run_job was sent (admitted), by id.
            Map<String, SlotClaim> atEe2 = new ConcurrentHashMap<>();
            AtomicInteger rebuilds = new AtomicInteger();
            ledger.rebuildWith(() -> {
                rebuilds.incrementAndGet();
                CompletableFuture<?>[] adopts = atEe2.entrySet().stream()
                        .map(job -> ledger.adopt(USER, job.getKey(), job.getValue()).toCompletableFuture())
                        .toArray(CompletableFuture[]::new);
                return CompletableFuture.allOf(adopts).handle((done, error) -> error == null);
            });
            Await.await("Redis decides", Duration.ofSeconds(30), ledger::redisDecides);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger unavailable = new AtomicInteger();
            Thread loop = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String ticket = "t" + i;
                    try {
                        Admission taken = ledger.tryAcquire(USER, ticket, SlotLedgerContract.plain("x"))
                                .toCompletableFuture().get(30, TimeUnit.SECONDS);
                        if (!taken.admitted()) {
                            unavailable.incrementAndGet();
                            Thread.sleep(5);
                            continue;
                        }
                        String job = "job" + i;
                        atEe2.put(job, SlotClaim.job("x"));
                        ledger.bind(USER, ticket, List.of(job)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        unavailable.incrementAndGet();
                    }
                }
            });
            loop.start();
            Await.await("a few hundred jobs before the failover", Duration.ofSeconds(30), () -> atEe2.size() > 300);
            failover.run();
            int before = atEe2.size();
            Await.await("jobs admitted after the failover", Duration.ofSeconds(60), () -> atEe2.size() > before + 300);
            stop.set(true);
            loop.join();
            Await.await("Redis decides, with nothing owed", Duration.ofSeconds(60),
                    () -> ledger.redisDecides() && ledger.owed() == 0);
            int counted = ledger.counts(USER).toCompletableFuture().get(10, TimeUnit.SECONDS).jobs();
            long seen = metrics.counter("ledger.failovers").getCount();
            System.out.printf("%s: %d jobs created, %d counted after (%d lost); %d decisions not taken; failovers seen %d,"
                    + " rebuilds %d%n", redis, atEe2.size(), counted, atEe2.size() - counted, unavailable.get(), seen,
                    rebuilds.get());
            assertThat(counted).as("jobs Redis counts after the failover, of %d created", atEe2.size())
                    .isEqualTo(atEe2.size());
            return new Outcome(atEe2.size(), seen, rebuilds.get());
        }
    }
}
