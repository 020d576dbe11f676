package us.kbase.ee2proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisSentinels;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.sim.workload.CombinedWorkloads;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadGenerator;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.tracking.ReconcileSettings;

/**
 * Three replicas behind a round-robin balancer share one Redis (issue 14): several users run
 * parallel apps in KBParallel's real shape (children sent by the running apps through the same
 * balancer, job runners sending finish_job), more at once than the cap allows. EE2 (the simulator)
 * is sampled every 20 ms: no user ever has more unfinished parallel apps than the cap, whatever
 * happens to Redis or to a replica; the workload finishes (no stall); and once the reconciler has
 * run, the ledger counts exactly what EE2 runs (no lease leaked or lost).
 */
class ThreeReplicasTest {
    /** parents.maxPerUser of {@link GeneratedWorkloads#policy()}; nothing nests, so it is THE cap. */
    private static final int CAP = 5;
    /** Up to 9 top-level parallel apps per user, none nested: the cap binds. */
    private static final WorkloadGenerator.Shape SHAPE =
            new WorkloadGenerator.Shape(3, 0, 9, 3, 3, false, false, false, true, 40);
    private static final List<Long> SEEDS = List.of(101L, 102L);

    private enum Trouble { NONE, REPLICA_KILLED, REDIS_PAUSED, REDIS_WIPED, SENTINEL_FAILOVERS, CLUSTER_FAILOVERS }

    @Test
    void coldReplicasOnAHealthyRedis() throws Exception {
        run(Trouble.NONE);
    }

    @Test
    void aReplicaKilledAndRestarted() throws Exception {
        run(Trouble.REPLICA_KILLED);
    }

    @Test
    void redisPausedFiveSeconds() throws Exception {
        run(Trouble.REDIS_PAUSED);
    }

    @Test
    void redisKilledAndRestartedEmpty() throws Exception {
        run(Trouble.REDIS_WIPED);
    }

    /**
     * On a Sentinel set (a master, 2 replicas, 3 sentinels): {@code SENTINEL FAILOVER} (the old
     * master takes writes after the promotion, which the promoted replica never has), then the new
     * master killed.
     */
    @Test
    void aSentinelFailoverThenTheMasterKilled() throws Exception {
        run(Trouble.SENTINEL_FAILOVERS);
    }

    /** On a 3-master Cluster: the master of a user at the cap failed over (CLUSTER FAILOVER), then killed. */
    @Test
    void aClusterMasterFailedOverThenKilled() throws Exception {
        run(Trouble.CLUSTER_FAILOVERS);
    }

    /** The Redis a run shares: one server, a Sentinel set or a Cluster. */
    private record Deployment(RedisServerProcess single, RedisSentinels sentinels, RedisCluster cluster)
            implements AutoCloseable {
        static Deployment of(Trouble trouble) {
            return switch (trouble) {
                case SENTINEL_FAILOVERS -> new Deployment(null, RedisSentinels.start(), null);
                case CLUSTER_FAILOVERS -> new Deployment(null, null, RedisCluster.start());
                default -> new Deployment(RedisServerProcess.start(), null, null);
            };
        }

        java.net.URI uri() {
            return single != null ? single.uri() : sentinels != null ? sentinels.uri() : cluster.uri();
        }

        @Override
        public void close() {
            if (single != null) {
                single.close();
            }
            if (sentinels != null) {
                sentinels.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private void run(Trouble trouble) throws Exception {
        long started = System.nanoTime();
        AdmissionPolicy policy = GeneratedWorkloads.policy();
        Workload workload = CombinedWorkloads.together(SEEDS, SHAPE);
        ReconcileSettings reconcile = ReconcileSettings.defaults("service-token").withInterval(Duration.ofSeconds(2));
        Duration provisional = Duration.ofSeconds(10);
        List<ProxyUnderTest> replicas = new ArrayList<>();
        try (Deployment deployment = Deployment.of(trouble);
                Ee2Simulator sim = Ee2Simulator.builder().token("service-token", "ops", "EE2_ADMIN_RO").build().start()) {
            RedisServerProcess redis = deployment.single();
            for (int i = 0; i < 3; i++) {
                replicas.add(ProxyUnderTest.replica(sim.url(), policy, deployment.uri(), "three", reconcile, provisional));
            }
            // Users submit through all three replicas. The simulated apps and job runners call through
            // replicas 0 and 2: the simulated runner does not retry a start_job or finish_job cut with
            // a dying replica (the job would then sit queued forever: a stall of the harness, not of
            // admission), so the replica killed below carries only users' submissions.
            try (RoundRobin balancer = new RoundRobin(replicas.stream().map(ProxyUnderTest::url).toList());
                    RoundRobin apps = new RoundRobin(List.of(replicas.get(0).url(), replicas.get(2).url()))) {
                Map<String, Integer> mostParents = new ConcurrentHashMap<>();
                AtomicReference<String> worst = new AtomicReference<>("none");
                CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new WorkloadRunner(balancer.url(), apps.url()).run(workload);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
                    while (!run.isDone()) {
                        Map<String, Integer> now = SimState.unfinished(sim, ThreeReplicasTest::parallelApp);
                        now.forEach((user, n) -> {
                            if (n > mostParents.getOrDefault(user, 0)) {
                                mostParents.put(user, n);
                                if (n > CAP) {
                                    worst.set(LocalTime.now() + " " + user + ": " + SimState.unfinishedJobs(sim,
                                            j -> parallelApp(j) && user.equals(j.slotUser())).stream()
                                            .map(j -> j.jobId() + " " + j.status()).toList());
                                }
                            }
                        });
                        sleep(20);
                    }
                });

                SimState.await("a user at the cap", Duration.ofSeconds(60), () ->
                        SimState.unfinished(sim, ThreeReplicasTest::parallelApp).values().stream()
                                .anyMatch(n -> n >= CAP - 1));
                switch (trouble) {
                    case NONE -> { }
                    case REPLICA_KILLED -> {
                        replicas.get(1).close(); // its held calls answered, its calls to EE2 cut
                        sleep(3000);
                        ProxyUnderTest again = ProxyUnderTest.replica(sim.url(), policy, redis.uri(), "three", reconcile,
                                provisional);
                        replicas.set(1, again);
                        balancer.set(1, again.url());
                    }
                    case REDIS_PAUSED -> {
                        redis.freeze();
                        sleep(5000);
                        redis.thaw();
                    }
                    case REDIS_WIPED -> redis.crashEmpty();
                    case SENTINEL_FAILOVERS -> {
                        deployment.sentinels().failOver();
                        sleep(3000);
                        deployment.sentinels().killMaster();
                    }
                    case CLUSTER_FAILOVERS -> {
                        String key = "{" + userAtTheCap(sim) + "}";
                        deployment.cluster().failOver(deployment.cluster().masterOf(key));
                        sleep(3000);
                        deployment.cluster().killAndAwaitPromotion(deployment.cluster().masterOf(key));
                    }
                }

                WorkloadReport report = run.get(150, TimeUnit.SECONDS);
                sampling.get(30, TimeUnit.SECONDS);
                long undecided = replicas.stream().mapToLong(r -> r.registry.counter("ledger.fallback.decisions").getCount())
                        .sum();
                long adopted = replicas.stream()
                        .mapToLong(r -> r.registry.counter("ee2proxy.reconciler.leases.adopted").getCount()).sum();
                System.out.printf("%s: %s in %.1f s; most unfinished parallel apps per user %s (cap %d); decisions Redis "
                        + "could not take (the calls waited) %d; leases adopted from EE2 %d%n", trouble, report.headline(),
                        report.wallSeconds(), new java.util.TreeMap<>(mostParents), CAP, undecided, adopted);
                if (trouble == Trouble.REDIS_PAUSED) {
                    assertThat(undecided).as("calls that waited for the paused Redis").isPositive();
                }
                if (trouble == Trouble.REDIS_WIPED) {
                    assertThat(adopted).as("the running jobs adopted from EE2 into the emptied Redis").isPositive();
                }
                long failovers = replicas.stream().mapToLong(r -> r.registry.counter("ledger.failovers").getCount()).sum();
                System.out.printf("%s: failovers seen at a decision %d%n", trouble, failovers);
                if (trouble == Trouble.SENTINEL_FAILOVERS || trouble == Trouble.CLUSTER_FAILOVERS) {
                    assertThat(failovers).as("failovers noticed by the replicas' decisions").isPositive();
                }
                assertThat(mostParents.values()).as("unfinished parallel apps of one user at EE2 (%s)", worst.get())
                        .allMatch(n -> n <= CAP);
                assertThat(mostParents.values()).as("the cap was reached: the test tests something").contains(CAP);
                if (trouble == Trouble.REPLICA_KILLED) {
                    // Submissions cut with their replica are the clients' to send again; nothing stalls.
                    assertThat(report.verdict()).as(report.toTable()).isEqualTo(WorkloadReport.Verdict.FINISHED);
                } else {
                    assertThat(report.allFinished()).as(report.toTable()).isTrue();
                }

                // No lease leaked or lost: once the reconciler has run and provisional leases of calls
                // cut with a replica have expired, every user's leases are what EE2 runs (nothing).
                Set<String> users = new HashSet<>(mostParents.keySet());
                SimState.await("the ledger counting exactly what EE2 runs", Duration.ofSeconds(40), () -> {
                    Map<String, Integer> atEe2 = SimState.unfinished(sim, j -> true);
                    for (String user : users) {
                        int leases = replicas.get(0).admission.ledger().counts(user).toCompletableFuture().join().jobs();
                        if (leases != atEe2.getOrDefault(user, 0)) {
                            return false;
                        }
                    }
                    return true;
                });
            }
        } finally {
            replicas.forEach(ProxyUnderTest::close);
            System.out.printf("%s: %.1f s in all%n", trouble, (System.nanoTime() - started) / 1e9);
        }
    }

    /** The user with the most unfinished parallel apps at EE2 now. */
    private static String userAtTheCap(Ee2Simulator sim) {
        return SimState.unfinished(sim, ThreeReplicasTest::parallelApp).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static boolean parallelApp(JobSnapshot j) {
        return j.app() != null && j.app().startsWith("kb_Parallel");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
