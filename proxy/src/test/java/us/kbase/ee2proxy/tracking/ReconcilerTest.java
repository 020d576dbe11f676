package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.get;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.runJob;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.Views;

/** The reconciler against the simulator's EE2: what it frees, what it adopts, what it leaves alone. */
class ReconcilerTest {
    private static final String BOWTIE = "kb_Bowtie2.align_reads_to_assembly_app";
    private static final String IMPORT = "kb_uploadmethods.import_fastq";
    private static Ee2Simulator sim;
    private static Ee2Client ee2;
    private InMemorySlotLedger ledger;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = Ee2Simulator.builder()
                .token("alice-token", "alice")
                .token("bob-token", "bob")
                .token("reader-token", "ops", "EE2_ADMIN_RO")
                .defaultSeconds(36_000)
                .build()
                .start();
        ee2 = new Ee2Client(sim.url(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void freshLedger() {
        sim.reset();
        ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    private Reconciler reconciler(String token, int batchSize) {
        return new Reconciler(ledger, ee2, AdmissionPolicy::defaults,
                ReconcileSettings.defaults(token).withBatchSize(batchSize).withPageSize(3), new MetricRegistry());
    }

    private Map<String, SlotClaim> tracked(String user) {
        return get(ledger.trackedJobs(user).toCompletableFuture()).stream()
                .collect(Collectors.toMap(TrackedJob::jobId, TrackedJob::claim));
    }

    private void cancel(String token, String jobId) {
        get(ee2.call(token, "cancel_job", JsonNodeFactory.instance.objectNode().put("job_id", jobId)));
    }

    private void track(String user, String jobId, SlotClaim claim) {
        get(ledger.adopt(user, jobId, claim).toCompletableFuture());
    }

    @Test
    void jobsThatFinishedBehindTheProxysBackAreReleasedAndTheOthersKept() {
        String done = runJob(ee2, "alice-token", IMPORT, null);
        String running = runJob(ee2, "alice-token", IMPORT, null);
        String bobsDone = runJob(ee2, "bob-token", BOWTIE, null);
        track("alice", done, SlotClaim.job("kb_uploadmethods"));
        track("alice", running, SlotClaim.job("kb_uploadmethods"));
        track("bob", bobsDone, SlotClaim.parentAt(0, "kb_Bowtie2"));
        cancel("alice-token", done);
        cancel("bob-token", bobsDone);

        Reconciler.Pass pass = reconciler("reader-token", 2).runPass();

        assertThat(pass.checked()).isEqualTo(3);
        assertThat(pass.released()).isEqualTo(2);
        assertThat(pass.failures()).isZero();
        assertThat(tracked("alice")).containsOnlyKeys(running);
        assertThat(tracked("bob")).isEmpty();
    }

    @Test
    void aPassTellsTheStatusPagesWhatEe2SaysOfTheChildrenTheyShowBeforeReleasingTheEnded() {
        LiveState live = new LiveState(AdmissionPolicy::defaults, ledger, () -> "in-memory", Clock.systemUTC());
        String app = runJob(ee2, "alice-token", BOWTIE, null);
        String running = runJob(ee2, "alice-token", IMPORT, app);
        String cancelled = runJob(ee2, "alice-token", IMPORT, app);
        track("alice", app, SlotClaim.parentAt(0, "kb_Bowtie2"));
        track("alice", running, SlotClaim.childOf(app, "kb_uploadmethods"));
        track("alice", cancelled, SlotClaim.childOf(app, "kb_uploadmethods"));
        JobClass.Child child = new JobClass.Child(app, "kb_uploadmethods");
        live.bound(new Classification(new JobClass.Parent(0, "kb_Bowtie2", null), "alice",
                List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), List.of(0)), List.of(app));
        live.bound(new Classification(new JobClass.Batch(List.of(child, child), false), "alice",
                List.of(SlotClaim.childOf(app, "kb_uploadmethods"), SlotClaim.childOf(app, "kb_uploadmethods")),
                List.of(0, 1)), List.of(running, cancelled));
        cancel("alice-token", cancelled); // straight at EE2: the proxy saw nothing of it
        assertThat(children(live, app).queued()).isEqualTo(2);

        Reconciler.Pass pass = reconciler("reader-token", 10).progress(progressOf(live)).runPass();

        assertThat(pass.released()).isEqualTo(1);
        Views.Children c = children(live, app);
        assertThat(c.running()).isEqualTo(1);
        assertThat(c.ids().running()).containsExactly(running);
        assertThat(c.failedHow()).containsExactlyEntriesOf(Map.of("terminated", 1));
        assertThat(c.endedUnseen()).as("its end was told before its release").isZero();
    }

    private static JobProgress progressOf(LiveState live) {
        return JobProgress.of(live::watches, live::progress);
    }

    private static Views.Children children(LiveState live, String app) {
        return live.user("alice", false).parallelApps().stream().filter(a -> a.jobId().equals(app)).findFirst()
                .orElseThrow().children();
    }

    @Test
    void aJobEe2DoesNotKnowKeepsItsLeaseAndSpoilsNothingElse() {
        String done = runJob(ee2, "alice-token", IMPORT, null);
        String unknown = "ffffffffffffffffffffffff";
        track("alice", done, SlotClaim.job("kb_uploadmethods"));
        track("alice", unknown, SlotClaim.job("kb_uploadmethods"));
        cancel("alice-token", done);

        Reconciler.Pass pass = reconciler("reader-token", 10).runPass();

        assertThat(pass.released()).isEqualTo(1);
        assertThat(pass.failures()).isEqualTo(1);
        assertThat(tracked("alice")).containsOnlyKeys(unknown);
    }

    @Test
    void activeJobsTheProxyNeverSawAreAdoptedWithThePolicysClasses() {
        String parent = runJob(ee2, "alice-token", BOWTIE, null);
        String child = runJob(ee2, "alice-token", IMPORT, parent);
        String nested = runJob(ee2, "alice-token", "kb_concoct.run_kb_concoct", parent);
        String plain = runJob(ee2, "bob-token", IMPORT, null);
        String finished = runJob(ee2, "bob-token", IMPORT, null);
        String known = runJob(ee2, "bob-token", BOWTIE, null);
        cancel("bob-token", finished);
        track("bob", known, SlotClaim.parentAt(0, "kb_Bowtie2"));

        Reconciler.Pass pass = reconciler("reader-token", 100).runPass();

        assertThat(pass.adopted()).isEqualTo(4);
        assertThat(tracked("alice")).containsOnly(
                Map.entry(parent, SlotClaim.parentAt(0, "kb_Bowtie2")),
                Map.entry(child, SlotClaim.childOf(parent, "kb_uploadmethods")), // adopted with its parent (the child bound)
                Map.entry(nested, SlotClaim.parentAt(1, "kb_concoct")));
        assertThat(tracked("bob")).containsOnly(
                Map.entry(plain, SlotClaim.job("kb_uploadmethods")),
                Map.entry(known, SlotClaim.parentAt(0, "kb_Bowtie2")));

        assertThat(reconciler("reader-token", 100).runPass().adopted()).as("a second pass adopts nothing new").isZero();
    }

    @Test
    void withoutAServiceTokenNothingIsAskedOrChanged() {
        String done = runJob(ee2, "alice-token", IMPORT, null);
        track("alice", done, SlotClaim.job("kb_uploadmethods"));
        cancel("alice-token", done);
        long before = sim.calls("execution_engine2.check_jobs");

        Reconciler.Pass pass = reconciler(null, 100).runPass();

        assertThat(pass).isEqualTo(new Reconciler.Pass(0, 0, 0, 0, 0));
        assertThat(sim.calls("execution_engine2.check_jobs")).isEqualTo(before);
        assertThat(tracked("alice")).containsOnlyKeys(done);
    }

    @Test
    void aTokenWithoutAdminRightsReleasesAndAdoptsNothing() {
        String done = runJob(ee2, "bob-token", IMPORT, null);
        runJob(ee2, "alice-token", IMPORT, null);
        track("bob", done, SlotClaim.job("kb_uploadmethods"));
        cancel("bob-token", done);

        Reconciler.Pass pass = reconciler("alice-token", 100).runPass();

        assertThat(pass.released()).isZero();
        assertThat(pass.adopted()).isZero();
        assertThat(pass.failures()).isEqualTo(2);
        assertThat(tracked("bob")).containsOnlyKeys(done);
        assertThat(tracked("alice")).isEmpty();
    }

    @Test
    void theScheduleRunsPassesOnItsOwn() throws Exception {
        String done = runJob(ee2, "alice-token", IMPORT, null);
        track("alice", done, SlotClaim.job("kb_uploadmethods"));
        cancel("alice-token", done);
        ReconcileSettings every200ms = ReconcileSettings.defaults("reader-token").withInterval(Duration.ofMillis(200));

        try (Reconciler r = new Reconciler(ledger, ee2, AdmissionPolicy::defaults, every200ms, new MetricRegistry()).start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!tracked("alice").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        assertThat(tracked("alice")).isEmpty();
    }
}
