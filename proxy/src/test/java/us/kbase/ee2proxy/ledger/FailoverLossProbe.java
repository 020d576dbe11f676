package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisSentinels;

/**
 * The measurement behind the README's failover table (not a test: it asserts nothing and runs
 * only when asked): a tight loop of acquires through {@link RedisSlotLedger} alone (lease writes
 * WAIT for the replicas; no failover watch, which is {@link ResilientLedger}'s) while a master fails
 * over, then how many acknowledged acquires the new master still counts, and which calls failed
 * meanwhile. {@link FailoverLeasesTest} is the same loop through {@link ResilientLedger}, asserting
 * that none is lost once the rebuild ran; {@link #waitCost} measures what WAIT costs.
 *
 * <pre>
 * mvn -B -o -pl proxy -am test -Dtest=FailoverLossProbe -Dee2proxy.failoverProbe=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfSystemProperty(named = "ee2proxy.failoverProbe", matches = "true")
class FailoverLossProbe {
    @Test
    void clusterFailover() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            probe("Cluster, CLUSTER FAILOVER", cluster.uri(), () -> cluster.failOver(cluster.masterOf("{alice}")));
        }
    }

    @Test
    void clusterMasterKilled() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            probe("Cluster, master killed", cluster.uri(), () -> cluster.killAndAwaitPromotion(cluster.masterOf("{alice}")));
        }
    }

    @Test
    void sentinelFailover() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            probe("Sentinel, SENTINEL FAILOVER", sentinels.uri(), sentinels::failOver);
        }
    }

    @Test
    void sentinelMasterKilled() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            probe("Sentinel, master killed", sentinels.uri(), () -> System.out.println("new master " + sentinels.killMaster().address()));
            System.out.println(sentinels.sentinelLogs());
        }
    }

    /**
     * What waiting for the replicas costs: the same master, reached by a one-server URL (no WAIT)
     * and by the Sentinel URL (each lease write waits for both replicas), 16 concurrent loops of
     * acquire then release for 5 s each, three times in alternation. Prints writes/s and the acquire's
     * p50/p99 with the load average.
     */
    @Test
    void waitCost() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            URI direct = sentinels.master().uri();
            for (int round = 0; round < 3; round++) {
                steady("one-server URL to the master, no WAIT", direct);
                steady("Sentinel URL, WAIT for 2 replicas", sentinels.uri());
            }
        }
    }

    private static void steady(String what, URI redis) throws Exception {
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(redis), RedisTls.DEFAULT,
                new RedisLedgerSettings("cost", Duration.ofSeconds(2), LeaseTerms.DEFAULT), new MetricRegistry())) {
            LedgerWarmUp.start(ledger, what, Duration.ofMillis(200)).whenReady().toCompletableFuture().get();
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.ConcurrentLinkedQueue<Long> micros = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.List<Thread> loops = new java.util.ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String user = "u" + t;
                Thread loop = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        long started = System.nanoTime();
                        ledger.tryAcquire(user, "t" + i, SlotLedgerContract.plain("x")).toCompletableFuture().join();
                        micros.add((System.nanoTime() - started) / 1000);
                        ledger.releaseTicket(user, "t" + i).toCompletableFuture().join();
                    }
                });
                loops.add(loop);
                loop.start();
            }
            Thread.sleep(5000);
            stop.set(true);
            for (Thread loop : loops) {
                loop.join();
            }
            long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%s: %.0f acquire+release pairs/s; acquire p50 %d us, p99 %d us; load average %s%n", what,
                    sorted.length / 5.0, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)],
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        }
    }

    private static void probe(String what, URI redis, Runnable failover) throws Exception {
        try (RedisSlotLedger ledger = RedisSlotLedger.connect(RedisAddress.parse(redis), RedisTls.DEFAULT,
                new RedisLedgerSettings("probe", Duration.ofSeconds(2), LeaseTerms.DEFAULT), new MetricRegistry())) {
            LedgerWarmUp.start(ledger, what, Duration.ofMillis(200)).whenReady().toCompletableFuture().get();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acknowledged = new AtomicInteger();
            Map<String, Integer> failed = new TreeMap<>();
            Thread loop = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        ledger.tryAcquire("alice", "t" + i, SlotLedgerContract.plain("x")).toCompletableFuture().join();
                        acknowledged.incrementAndGet();
                    } catch (RuntimeException e) {
                        Throwable cause = e;
                        while (cause.getCause() != null) {
                            cause = cause.getCause();
                        }
                        synchronized (failed) {
                            failed.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
                        }
                    }
                }
            });
            loop.start();
            Thread.sleep(1000);
            long started = System.nanoTime();
            failover.run();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            Thread.sleep(3000);
            stop.set(true);
            loop.join();
            int counted = ledger.counts("alice").toCompletableFuture().join().jobs();
            System.out.printf("%s: failover took %d ms; %d acquires acknowledged, %d counted after (%d lost); failed: %s%n",
                    what, tookMs, acknowledged.get(), counted, acknowledged.get() - counted, failed);
        }
    }
}
