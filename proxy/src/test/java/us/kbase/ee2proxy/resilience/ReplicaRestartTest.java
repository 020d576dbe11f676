package us.kbase.ee2proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.redis.RedisServerProcess;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;
import us.kbase.ee2proxy.tracking.ReconcileSettings;

/**
 * Two replicas on one Redis. twelve-parallel-apps runs through replica B while another user
 * floods replica A with submissions and A is closed in the middle of them (some admitted, some
 * held, some on their way to EE2): each of those calls is over at once (the held ones answered
 * "not submitted"), and A is started again. The workload finishes, and once the
 * reconcile interval and the provisional leases' TTL have passed the ledger counts exactly the
 * jobs EE2 still runs: nothing leaked by the replica that died.
 */
class ReplicaRestartTest {
    /** Carol's plain jobs: long enough (15 real seconds at the workload's speed) to be counted while they run. */
    private static final String LONG = "kb_uploadmethods.import_genbank_long";
    private static final String PARENT = "kb_Bowtie2.align_reads_to_assembly_app";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aReplicaClosedMidWorkloadLeaksNoLease() throws Exception {
        AdmissionPolicy policy = AdmissionPolicy.defaults();
        Workload twelve = Workload.load(Path.of("../config/workloads/twelve-parallel-apps.yaml"));
        List<AppProfile> apps = new ArrayList<>(twelve.apps());
        apps.add(AppProfile.plain(LONG, 1500));
        Workload workload = new Workload(twelve.name(), twelve.description(), twelve.speed(), twelve.runners(),
                twelve.defaultSeconds(), twelve.quietSeconds(), twelve.stallSeconds(), twelve.timeoutSeconds(),
                twelve.slots(), twelve.capacity(), twelve.slotOverrides(), twelve.users(), apps, twelve.submissions());
        ReconcileSettings reconcile = ReconcileSettings.defaults("service-token").withInterval(Duration.ofSeconds(1));
        Duration provisional = Duration.ofSeconds(3);
        try (RedisServerProcess redis = RedisServerProcess.start();
                Ee2Simulator sim = Ee2Simulator.builder().token("service-token", "ops", "EE2_ADMIN_RO")
                        .token("carol-token", "carol").build().start();
                ProxyUnderTest b = ProxyUnderTest.replica(sim.url(), policy, redis.uri(), "replicas", reconcile, provisional)) {
            ProxyUnderTest a = ProxyUnderTest.replica(sim.url(), policy, redis.uri(), "replicas", reconcile, provisional);
            CompletableFuture<WorkloadReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new WorkloadRunner(b.url()).run(workload);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            SimState.await("the workload under way", Duration.ofSeconds(60), () ->
                    SimState.unfinished(sim, j -> j.user().equals("alice")).getOrDefault("alice", 0) >= 3);

            // Carol floods A: 8 parallel apps (5 admitted, 3 held) and 12 plain jobs.
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(submit(a.url(), i < 8 ? PARENT : LONG));
            }
            long before = sim.calls("execution_engine2.run_job");
            SimState.await("some of carol's submissions reaching EE2", Duration.ofSeconds(60), () ->
                    sim.calls("execution_engine2.run_job") >= before + 6);
            a.close(); // mid-flood: held calls answered, calls on their way to EE2 cut, their replies never bound
            // Every call A had is over at once: held or undecided ones answered "not submitted,
            // submit it again" (EE2-shaped), those on their way to EE2 cut with the connection.
            CompletableFuture.allOf(calls.stream().map(c -> c.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.isCompletedExceptionally() ? null : c.join();
                if (r != null && r.statusCode() != 200) {
                    assertThat(r.body()).startsWith("{\"error\": {\"code\": -32000");
                }
            }
            // Whether a reply was in flight at that instant is luck; these make sure of it: jobs
            // EE2 created whose replica died before it could bind them (it never saw them).
            for (int i = 0; i < 3; i++) {
                assertThat(submit(sim.url(), LONG).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            a = ProxyUnderTest.replica(sim.url(), policy, redis.uri(), "replicas", reconcile, provisional);
            try {
                SlotLedger ledger = b.admission.ledger();
                // While carol's long jobs run: her leases are exactly her unfinished jobs at EE2,
                // several reconcile passes in a row (jobs EE2 made for calls A never saw answered
                // are adopted; their provisional leases have expired).
                int[] agreeing = {0};
                SimState.await("carol's leases agreeing with EE2 three passes in a row", Duration.ofSeconds(25), () -> {
                    int leases = ledger.counts("carol").toCompletableFuture().join().jobs();
                    int atEe2 = SimState.unfinished(sim, j -> true).getOrDefault("carol", 0);
                    agreeing[0] = leases == atEe2 && atEe2 > 0 ? agreeing[0] + 1 : 0;
                    sleep(1000);
                    return agreeing[0] >= 3;
                });
                WorkloadReport report = run.get(240, TimeUnit.SECONDS);
                assertThat(report.allFinished()).as(report.toTable()).isTrue();
                SimState.await("the ledger counting exactly what EE2 runs, for every user", Duration.ofSeconds(90), () -> {
                    Map<String, Integer> atEe2 = SimState.unfinished(sim, j -> true);
                    for (String user : List.of("alice", "carol")) {
                        int leases = ledger.counts(user).toCompletableFuture().join().jobs();
                        if (leases != atEe2.getOrDefault(user, 0)) {
                            return false;
                        }
                    }
                    return true;
                });
                SimState.await("every job finished and every lease gone", Duration.ofSeconds(120), () ->
                        SimState.unfinished(sim, j -> true).isEmpty()
                                && ledger.counts("carol").toCompletableFuture().join().jobs() == 0
                                && ledger.counts("alice").toCompletableFuture().join().jobs() == 0);
            } finally {
                a.close();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CompletableFuture<HttpResponse<String>> submit(URI proxy, String app) {
        String body = "{\"version\": \"1.1\", \"id\": \"c\", \"method\": \"execution_engine2.run_job\", \"params\": "
                + "[{\"method\": \"" + app + "\", \"app_id\": \"" + app.replace('.', '/') + "\"}]}";
        return HTTP.sendAsync(HttpRequest.newBuilder(proxy).header("Authorization", "carol-token")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
