package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.status.Views;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Issue 12 item 4, on real sockets with the simulator as EE2: a cancel of a parallel app that EE2
 * accepts from its owner answers the app's children waiting at the proxy at once (EE2 never sees
 * them), leaves every other waiting call alone, and with {@code admission.cancelChildrenWithParent}
 * (and an EE2 admin's service token) also cancels the app's children already at EE2. A cancel EE2
 * refuses answers nothing.
 */
class CancelledAppTest {
    /** Four unfinished jobs per user at most: two apps and two children fill it, more children wait. */
    static final String POLICY = """
            slots: 4
            parents:
              maxPerUser: 2
              maxNestingDepth: 1
              whenFull: hold
              maxWait: 10m
            children:
              maxQueued: 0
              reserve: 0
              maxWait: 10m
            """;
    static final String APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String WORKER = "kb_quast.run_QUAST";
    static final String PLAIN = "kb_uploadmethods.import_fastq_sra_as_reads_from_staging";
    static final String RUN_JOB = "execution_engine2.run_job";

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600).slots(1).token("tok-ops", "ops", "EE2_ADMIN");
        for (String user : new String[] {"ann", "bo", "cy", "dan", "eve", "fay", "gus"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    @RegisterExtension
    static final ProxyExtension leftAtEe2 = ProxyExtension.withSimulator(CancelledAppTest::users).admission(POLICY).build();

    @RegisterExtension
    static final ProxyExtension cancelledAtEe2 = ProxyExtension.withSimulator(CancelledAppTest::users).admission(POLICY)
            .config(c -> c.withAdmission(c.admission().withCancelChildrenWithParent(true))).serviceToken("tok-ops").build();

    private static final ExecutorService READERS = Executors.newCachedThreadPool();
    private final List<RawHttp> connections = new ArrayList<>();

    @AfterAll
    static void stopReaders() {
        READERS.shutdownNow();
    }

    @Test
    void theOwnersCancelAnswersItsWaitingChildrenAtOnceAndNoOtherCall() throws Exception {
        ProxyExtension proxy = leftAtEe2;
        String app = run(proxy, "tok-ann", APP, null);
        String other = run(proxy, "tok-ann", APP, null);
        String c1 = run(proxy, "tok-ann", WORKER, app);
        run(proxy, "tok-ann", WORKER, app);
        CompletableFuture<RawHttp.Response> w1 = waiting(proxy, "tok-ann", WORKER, app);
        CompletableFuture<RawHttp.Response> w2 = waiting(proxy, "tok-ann", WORKER, app);
        CompletableFuture<RawHttp.Response> w3 = waiting(proxy, "tok-ann", WORKER, other);
        await("three children waiting at the proxy", () -> proxy.admission().holds().held("ann") == 3);
        long seen = proxy.simulator().calls(RUN_JOB);

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-ann", Ee2Calls.call("cancel_job", Map.of("job_id", app)));
        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);

        for (CompletableFuture<RawHttp.Response> w : List.of(w1, w2)) {
            RawHttp.Response answer = w.get();
            assertThat(answer.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(answer)).contains("not submitted: its parallel app " + app + " was cancelled");
        }
        // The other app's child is untouched: the cancelled app's slot admits it, as any release would.
        RawHttp.Response third = w3.get();
        assertThat(third.status()).as(third.bodyText()).isEqualTo(200);
        assertThat(proxy.simulator().calls(RUN_JOB)).as("EE2 saw only the other app's child").isEqualTo(seen + 1);
        assertThat(proxy.admission().holds().held("ann")).isZero();
        // The answered children took nothing: the other app, the two children and the third child.
        await("the cancelled app's slot freed", () -> proxy.admission().ledger().counts("ann").toCompletableFuture().join()
                .parents() == 1);
        assertThat(proxy.admission().ledger().counts("ann").toCompletableFuture().join().jobs()).isEqualTo(4);
        // Without cancelChildrenWithParent its children at EE2 run on.
        assertThat(status(proxy, c1).isTerminal()).isFalse();

        Views.App shown = app(proxy, "ann", app);
        assertThat(shown.cancelled()).isNotNull();
        assertThat(shown.cancelled().waitingAnswered()).isEqualTo(2);
        assertThat(shown.cancelled().text()).contains("left to run");
        assertThat(app(proxy, "ann", other).cancelled()).isNull();
        assertThat(proxy.registry().counter("ee2proxy.status.actions.answer_child_of_cancelled_app").getCount())
                .isEqualTo(2);
    }

    @Test
    void withCancelChildrenWithParentItsChildrenQueuedAtEe2AreCancelledThere() throws Exception {
        ProxyExtension proxy = cancelledAtEe2;
        String plain = run(proxy, "tok-bo", PLAIN, null);
        String app = run(proxy, "tok-bo", APP, null);
        String c1 = run(proxy, "tok-bo", WORKER, app);
        String c2 = run(proxy, "tok-bo", WORKER, app);
        CompletableFuture<RawHttp.Response> w1 = waiting(proxy, "tok-bo", WORKER, app);
        await("a child waiting at the proxy", () -> proxy.admission().holds().held("bo") == 1);
        assertThat(status(proxy, c2)).as("the simulator has one slot").isEqualTo(JobStatus.QUEUED);

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-bo", Ee2Calls.call("cancel_job", Map.of("job_id", app)));
        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);

        assertThat(Ee2Calls.errorMessage(w1.get())).contains("its parallel app " + app + " was cancelled");
        await("its children at EE2 cancelled", () -> status(proxy, c1).isTerminal() && status(proxy, c2).isTerminal());
        assertThat(status(proxy, c2)).isEqualTo(JobStatus.TERMINATED);
        assertThat(status(proxy, plain).isTerminal()).as("a job that is no child of it").isFalse();
        await("their slots freed", () -> proxy.admission().ledger().counts("bo").toCompletableFuture().join().jobs() == 1);
        await("the cancel shown", () -> {
            Views.Cancelled c = app(proxy, "bo", app).cancelled();
            return c != null && c.cancelledAtEe2() == 2 && c.waitingAnswered() == 1;
        });
        // Its children at EE2 are shown as the proxy's cancel ended them, not as ended unseen.
        Views.Children children = app(proxy, "bo", app).children();
        assertThat(children.failedHow()).containsExactlyEntriesOf(Map.of("cancelled", 2));
        assertThat(children.ids().failed()).extracting(Views.FailedChild::jobId).containsExactlyInAnyOrder(c1, c2);
        assertThat(List.of(children.waiting(), children.queued(), children.running(), children.endedUnseen()))
                .containsOnly(0);
    }

    @Test
    void withCancelChildrenWithParentKbParallelsChildrenOfTheOnlyAppAreCancelledAtEe2ButNotAnotherJob() throws Exception {
        ProxyExtension proxy = cancelledAtEe2;
        String app = run(proxy, "tok-gus", APP, null);
        String plain = run(proxy, "tok-gus", PLAIN, null);
        String k1 = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-gus", kbParallel(WORKER)));
        String k2 = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-gus", kbParallel(WORKER)));

        RawHttp.Response other = Ee2Calls.send(proxy.url(), "tok-gus", Ee2Calls.call("cancel_job", Map.of("job_id", plain)));
        assertThat(other.status()).as(other.bodyText()).isEqualTo(200);
        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-gus", Ee2Calls.call("cancel_job", Map.of("job_id", app)));
        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);

        await("its KBParallel children cancelled at EE2", () -> status(proxy, k1).isTerminal() && status(proxy, k2).isTerminal());
        await("the cancel shown", () -> app(proxy, "gus", app).cancelled().cancelledAtEe2() == 2);
        assertThat(proxy.registry().counter("ee2proxy.parallel.cancelled_app.children_cancelled_at_ee2").getCount())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aCancelEe2RefusesAnswersNothing() throws Exception {
        ProxyExtension proxy = cancelledAtEe2;
        String app = run(proxy, "tok-cy", APP, null);
        run(proxy, "tok-cy", APP, null);
        String c1 = run(proxy, "tok-cy", WORKER, app);
        run(proxy, "tok-cy", WORKER, app);
        CompletableFuture<RawHttp.Response> w1 = waiting(proxy, "tok-cy", WORKER, app);
        await("a child waiting at the proxy", () -> proxy.admission().holds().held("cy") == 1);

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-dan", Ee2Calls.call("cancel_job", Map.of("job_id", app)));
        assertThat(cancel.status()).as("another user, not an admin").isEqualTo(500);
        // A cancel EE2 accepts afterwards, of a job that is no parallel app, is seen after the refused one.
        RawHttp.Response ownCancel = Ee2Calls.send(proxy.url(), "tok-cy", Ee2Calls.call("cancel_job", Map.of("job_id", c1)));
        assertThat(ownCancel.status()).isEqualTo(200);

        // The freed child slot admits the waiting child: it was not answered with an error.
        RawHttp.Response answer = w1.get();
        assertThat(answer.status()).as(answer.bodyText()).isEqualTo(200);
        assertThat(status(proxy, app).isTerminal()).isFalse();
        assertThat(app(proxy, "cy", app).cancelled()).isNull();
    }

    @Test
    void anAdminsCancelAnswersTheOwnersWaitingChildrenAndKbParallelsAttributedOnesWhenItIsTheOnlyApp() throws Exception {
        ProxyExtension proxy = leftAtEe2;
        String app = run(proxy, "tok-eve", APP, null);
        run(proxy, "tok-eve", WORKER, app);
        run(proxy, "tok-eve", WORKER, app);
        run(proxy, "tok-eve", WORKER, app);
        CompletableFuture<RawHttp.Response> named = waiting(proxy, "tok-eve", WORKER, app);
        CompletableFuture<RawHttp.Response> attributed = waiting(proxy, "tok-eve", kbParallel(WORKER));
        await("two children waiting at the proxy", () -> proxy.admission().holds().held("eve") == 2);
        // fay's child of another app: not eve's queue, untouched.
        String fays = run(proxy, "tok-fay", APP, null);
        run(proxy, "tok-fay", WORKER, fays);
        run(proxy, "tok-fay", WORKER, fays);
        run(proxy, "tok-fay", WORKER, fays);
        waiting(proxy, "tok-fay", WORKER, fays);
        await("fay's child waiting", () -> proxy.admission().holds().held("fay") == 1);

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-ops",
                Ee2Calls.call("cancel_job", Map.of("job_id", app, "as_admin", true)));
        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);

        assertThat(Ee2Calls.errorMessage(named.get())).contains("its parallel app " + app + " was cancelled");
        assertThat(Ee2Calls.errorMessage(attributed.get())).contains("its parallel app " + app + " was cancelled");
        assertThat(proxy.admission().holds().held("fay")).isEqualTo(1);
    }

    /** A run_job in KBParallel's shape: no parent_job_id, the module as app_id, no workspace. */
    private static byte[] kbParallel(String method) {
        Map<String, Object> shape = new java.util.HashMap<>();
        shape.put("app_id", method.substring(0, method.indexOf('.')));
        shape.put("parent_job_id", null);
        shape.put("wsid", null);
        shape.put("remote_url", "https://kbase.us/services/ee2");
        return Ee2Calls.runJob(method, shape);
    }

    private CompletableFuture<RawHttp.Response> waiting(ProxyExtension proxy, String token, byte[] body) throws Exception {
        RawHttp c = Ee2Calls.start(proxy.url(), token, body);
        connections.add(c);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.read();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, READERS).orTimeout(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    private String run(ProxyExtension proxy, String token, String method, String parent) throws Exception {
        return Ee2Calls.jobId(Ee2Calls.send(proxy.url(), token,
                Ee2Calls.runJob(method, parent == null ? Map.of() : Map.of("parent_job_id", parent))));
    }

    /** A run_job that waits at the proxy: its answer is read in the background. */
    private CompletableFuture<RawHttp.Response> waiting(ProxyExtension proxy, String token, String method, String parent)
            throws Exception {
        return waiting(proxy, token, Ee2Calls.runJob(method, Map.of("parent_job_id", parent)));
    }

    @org.junit.jupiter.api.AfterEach
    void close() throws Exception {
        for (RawHttp c : connections) {
            c.close();
        }
    }

    private static JobStatus status(ProxyExtension proxy, String jobId) {
        return proxy.simulator().jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst().orElseThrow().status();
    }

    private static Views.App app(ProxyExtension proxy, String user, String jobId) {
        return proxy.admission().live().user(user, true).parallelApps().stream().filter(a -> a.jobId().equals(jobId))
                .findFirst().orElseThrow(() -> new AssertionError("no parallel app " + jobId + " shown for " + user));
    }
}
