package us.kbase.ee2proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.tracking.ReconcileSettings;

/**
 * twelve-parallel-apps through a proxy on a replicated Redis (a Cluster or a Sentinel set), with
 * the master that holds alice's keys failed over once her parallel apps fill the cap, and again
 * (each step in turn, {@link #BETWEEN} apart) while the workload still runs: EE2 (the simulator)
 * is sampled every 10 ms and must never run more of her parallel apps than the cap, the
 * workload must finish, and then the ledger must count exactly what EE2 still runs (nothing).
 */
final class FailoverWorkload {
    private static final String PARENT_APP = "kb_Bowtie2.align_reads_to_assembly_app";
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(10);
    /** Between one failover's end and the next one's start: decisions happen on the new master meanwhile. */
    private static final Duration BETWEEN = Duration.ofSeconds(2);

    /** What happened, for the test's own assertions and its log line. */
    record Outcome(WorkloadReport report, int mostParents, String mostParentsSeen, long decidedWithoutRedis,
            List<Duration> failoversTook) {}

    private FailoverWorkload() {}

    private static UserCounts counts(ProxyUnderTest proxy, String user) {
        return proxy.admission.ledger().counts(user).toCompletableFuture().join();
    }

    /**
     * @param redis the proxy's {@code admission.redis} URL
     * @param failovers each fails the master over and returns once the new master serves
     */
    static Outcome run(URI redis, String prefix, List<Runnable> failovers) throws Exception {
        AdmissionPolicy policy = AdmissionPolicy.defaults();
        int cap = policy.defaultLimits().parentsMaxPerUser();
        Workload workload = Workload.load(Path.of("../config/workloads/twelve-parallel-apps.yaml"));
        // The reconciler, as in production: it adopts from EE2 any lease a failover lost.
        ReconcileSettings reconcile = ReconcileSettings.defaults("service-token").withInterval(Duration.ofSeconds(1));
        try (Ee2Simulator sim = Ee2Simulator.builder().token("service-token", "ops", "EE2_ADMIN_RO").build().start();
                ProxyUnderTest proxy = ProxyUnderTest.replica(sim.url(), policy, redis, prefix, reconcile,
                        Duration.ofMinutes(10))) {
            proxy.admission.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
            AtomicInteger mostParents = new AtomicInteger();
            AtomicReference<String> mostParentsSeen = new AtomicReference<>("none");
            CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new WorkloadRunner(proxy.url()).run(workload);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
                while (!run.isDone()) {
                    List<String> parents = SimState.unfinishedJobs(sim,
                                    j -> "alice".equals(j.slotUser()) && j.app().equals(PARENT_APP))
                            .stream().map(j -> j.jobId() + " " + j.status()).toList();
                    if (parents.size() > mostParents.getAndAccumulate(parents.size(), Math::max)) {
                        mostParentsSeen.set(LocalTime.now() + " " + parents);
                    }
                    try {
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            SimState.await("alice's parallel apps at the cap before the failover", Duration.ofSeconds(60), () ->
                    SimState.unfinished(sim, j -> j.app().equals(PARENT_APP)).getOrDefault("alice", 0) == cap);
            List<Duration> took = new java.util.ArrayList<>();
            for (Runnable failover : failovers) {
                if (!took.isEmpty()) {
                    Thread.sleep(BETWEEN.toMillis());
                }
                long started = System.nanoTime();
                failover.run();
                took.add(Duration.ofNanos(System.nanoTime() - started));
                // Otherwise the failover did not happen in the middle of the workload: the test proves nothing.
                assertThat(run).as("the workload still running after failover %d", took.size()).isNotDone();
            }

            WorkloadReport report = run.get(240, TimeUnit.SECONDS);
            sampling.get(30, TimeUnit.SECONDS);
            long withoutRedis = proxy.registry.counter("ledger.fallback.decisions").getCount();
            Outcome outcome = new Outcome(report, mostParents.get(), mostParentsSeen.get(), withoutRedis, took);
            System.out.println("failovers took " + took.stream().map(d -> d.toMillis() + " ms").toList() + "; most unfinished parents at EE2 at any sample: "
                    + outcome.mostParents() + " (cap " + cap + "); decided without Redis: " + withoutRedis);
            assertThat(report.allFinished()).as(report.toTable()).isTrue();
            assertThat(outcome.mostParents()).as("unfinished parents at EE2, at most, at any sample (%s)",
                    outcome.mostParentsSeen()).isBetween(1, cap);
            // Nothing leaked or lost across the failovers once the reconciler has run.
            SimState.await("the ledger agrees with EE2 once things settle", Duration.ofSeconds(60), () ->
                    counts(proxy, "alice").jobs() == SimState.unfinished(sim, j -> true).getOrDefault("alice", 0));
            // Nothing counted; the own-call mark (children.reserveFor) may still be running.
            UserCounts left = counts(proxy, "alice");
            assertThat(new UserCounts(left.parents(), left.jobs(), left.parentsByApp())).isEqualTo(UserCounts.ZERO);
            return outcome;
        }
    }
}
