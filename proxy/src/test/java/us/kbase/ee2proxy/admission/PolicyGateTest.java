package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * The request path over real sockets, with the simulator as EE2 and auth2 and small limits: one
 * parallel app per user (refused at once beyond it, one more per nesting level), children held
 * once a user has 3 unfinished jobs. Each test uses its own users, so they share one proxy.
 */
class PolicyGateTest {
    static final String POLICY = """
            slots: 3
            parents:
              maxPerUser: 1
              maxNestingDepth: 1
              whenFull: refuse
            children:
              maxQueued: 0
              maxWait: 10m
            """;
    static final String PARALLEL_APP = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String OTHER_PARALLEL_APP = "kb_concoct.run_kb_concoct";
    static final String PLAIN_APP = "kb_uploadmethods.import_fastq_sra_as_reads_from_staging";
    static final String CHILD_APP = "kb_quast.run_QUAST_app";
    static final String RUN_JOB = "execution_engine2.run_job";

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(PolicyGateTest::users).admission(POLICY).build();

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600).token("tok-root", "root", "EE2_ADMIN");
        for (String user : new String[] {"fay", "bob", "amy", "ben", "dan", "cat", "gil", "rey", "hal", "kim"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    private static RawHttp.Response run(ProxyExtension through, String user, String method, Map<String, Object> extra)
            throws Exception {
        return Ee2Calls.send(through.url(), "tok-" + user, Ee2Calls.runJob(method, extra));
    }

    private static UserCounts counts(String user) {
        return proxy.admission().ledger().counts(user).toCompletableFuture().join();
    }

    @Test
    void aForgedParentJobIdEarnsNoExtraParentSlot() throws Exception {
        String fays = Ee2Calls.jobId(run(proxy, "fay", PARALLEL_APP, Map.of()));
        String bobs = Ee2Calls.jobId(run(proxy, "bob", PARALLEL_APP, Map.of()));

        RawHttp.Response underBobs = run(proxy, "fay", OTHER_PARALLEL_APP, Map.of("parent_job_id", bobs));
        RawHttp.Response underNothing = run(proxy, "fay", OTHER_PARALLEL_APP, Map.of("parent_job_id", "0123456789abcdef01234567"));
        RawHttp.Response underOwn = run(proxy, "fay", OTHER_PARALLEL_APP, Map.of("parent_job_id", fays));

        assertThat(underBobs.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(underBobs)).contains("limit is 1");
        assertThat(underBobs.header("Retry-After")).isNotNull();
        assertThat(underNothing.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(underNothing)).contains("limit is 1");
        assertThat(underOwn.status()).as(underOwn.bodyText()).isEqualTo(200);
        assertThat(counts("fay").parents()).isEqualTo(2);
        assertThat(counts("bob").parents()).isEqualTo(1);
    }

    @Test
    void oneUsersTokenNeverTakesNorFreesAnotherUsersSlots() throws Exception {
        String bens = Ee2Calls.jobId(run(proxy, "ben", PARALLEL_APP, Map.of()));

        RawHttp.Response billed = run(proxy, "amy", PARALLEL_APP,
                Map.of("as_admin", 1, "job_requirements", Map.of("bill_to_user", "ben")));
        RawHttp.Response cancelled = Ee2Calls.send(proxy.url(), "tok-amy", Ee2Calls.call("cancel_job", Map.of("job_id", bens)));

        assertThat(billed.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(billed)).contains("admin");
        assertThat(cancelled.status()).isEqualTo(500);
        assertThat(counts("ben")).isEqualTo(new UserCounts(1, 1, Map.of("kb_Bowtie2", 1)));
        assertThat(counts("amy")).isEqualTo(UserCounts.ZERO);

        // An EE2 admin may bill another user: then the job takes that user's slot.
        RawHttp.Response byAdmin = run(proxy, "root", PLAIN_APP,
                Map.of("as_admin", 1, "job_requirements", Map.of("bill_to_user", "ben")));
        assertThat(byAdmin.status()).as(byAdmin.bodyText()).isEqualTo(200);
        assertThat(counts("ben").jobs()).isEqualTo(2);
        assertThat(counts("root")).isEqualTo(UserCounts.ZERO);
    }

    @Test
    void aRetryTakesTheClassOfTheJobItRetries() throws Exception {
        Ee2Calls.jobId(run(proxy, "rey", PARALLEL_APP, Map.of()));
        // Submitted and cancelled behind the proxy's back: only EE2's check_job can tell what they were.
        String parent = Ee2Calls.jobId(Ee2Calls.send(proxy.simulator().url(), "tok-rey", Ee2Calls.runJob(OTHER_PARALLEL_APP, Map.of())));
        String plain = Ee2Calls.jobId(Ee2Calls.send(proxy.simulator().url(), "tok-rey", Ee2Calls.runJob(PLAIN_APP, Map.of())));
        for (String job : new String[] {parent, plain}) {
            Ee2Calls.send(proxy.simulator().url(), "tok-rey", Ee2Calls.call("cancel_job", Map.of("job_id", job)));
        }

        RawHttp.Response parentRetry = Ee2Calls.send(proxy.url(), "tok-rey", Ee2Calls.call("retry_job", Map.of("job_id", parent)));
        RawHttp.Response plainRetry = Ee2Calls.send(proxy.url(), "tok-rey", Ee2Calls.call("retry_job", Map.of("job_id", plain)));

        assertThat(parentRetry.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(parentRetry)).contains("limit is 1");
        assertThat(plainRetry.status()).as(plainRetry.bodyText()).isEqualTo(200);
        assertThat(counts("rey")).isEqualTo(new UserCounts(1, 2, Map.of("kb_Bowtie2", 1)));
        String retryId = Ee2Calls.json(plainRetry).path("result").path(0).path("retry_id").asText();
        assertThat(proxy.admission().ledger().trackedJobs("rey").toCompletableFuture().join())
                .extracting(TrackedJob::jobId).contains(retryId);
    }

    @Test
    void aBatchsLeasesAreBoundToItsChildrenAndABatchOverTheCapIsRefused() throws Exception {
        Map<String, Object> plain = Map.of("method", PLAIN_APP, "params", List.of(Map.of()));
        Map<String, Object> parallel = Map.of("method", PARALLEL_APP, "params", List.of(Map.of()));
        RawHttp.Response batch = Ee2Calls.send(proxy.url(), "tok-kim", Ee2Calls.runJobBatch(List.of(plain, plain)));
        RawHttp.Response tooBig = Ee2Calls.send(proxy.url(), "tok-kim", Ee2Calls.runJobBatch(List.of(parallel, parallel, plain)));

        assertThat(batch.status()).as(batch.bodyText()).isEqualTo(200);
        List<String> children = new ArrayList<>();
        Ee2Calls.json(batch).path("result").path(0).path("child_job_ids").forEach(id -> children.add(id.asText()));
        assertThat(proxy.admission().ledger().trackedJobs("kim").toCompletableFuture().join())
                .extracting(TrackedJob::jobId).containsExactlyInAnyOrderElementsOf(children);
        assertThat(tooBig.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(tooBig)).contains("Split it into batches");
        assertThat(counts("kim")).isEqualTo(new UserCounts(0, 2, Map.of()));
    }

    @Test
    void anAdminJobThatIgnoresConcurrencyLimitsTakesNoSlot() throws Exception {
        for (int i = 0; i < 2; i++) {
            RawHttp.Response r = run(proxy, "root", PARALLEL_APP,
                    Map.of("as_admin", true, "job_requirements", Map.of("ignore_concurrency_limits", "false")));
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        }
        assertThat(counts("root")).isEqualTo(UserCounts.ZERO);
        assertThat(proxy.admissionCounter("admitted.exempt")).isEqualTo(2);
    }

    @Test
    void aHeldCallWhoseClientLeavesIsNeverForwarded() throws Exception {
        String first = Ee2Calls.jobId(run(proxy, "dan", PLAIN_APP, Map.of()));
        Ee2Calls.jobId(run(proxy, "dan", PLAIN_APP, Map.of()));
        Ee2Calls.jobId(run(proxy, "dan", PLAIN_APP, Map.of()));
        long forwarded = proxy.simulator().calls(RUN_JOB);

        RawHttp leaving = Ee2Calls.start(proxy.url(), "tok-dan",
                Ee2Calls.runJob(CHILD_APP, Map.of("parent_job_id", "0123456789abcdef01234567")));
        await("the child is held", () -> proxy.admission().holds().held() == 1);
        leaving.close();
        await("the hold is gone", () -> proxy.admission().holds().held() == 0);

        // Room for one child: the one that left must not take it.
        proxy.admission().ledger().releaseJob(first).toCompletableFuture().join();
        RawHttp.Response next = run(proxy, "dan", CHILD_APP, Map.of("parent_job_id", "0123456789abcdef01234567"));

        assertThat(next.status()).as(next.bodyText()).isEqualTo(200);
        assertThat(proxy.simulator().calls(RUN_JOB)).isEqualTo(forwarded + 1);
        assertThat(counts("dan").jobs()).isEqualTo(3);
    }

    @Test
    void aHeldChildOfACancelledParentIsAnswered() throws Exception {
        String parent = Ee2Calls.jobId(run(proxy, "hal", PARALLEL_APP, Map.of()));
        Ee2Calls.jobId(run(proxy, "hal", PLAIN_APP, Map.of()));
        Ee2Calls.jobId(run(proxy, "hal", PLAIN_APP, Map.of()));
        try (RawHttp child = Ee2Calls.start(proxy.url(), "tok-hal",
                Ee2Calls.runJob(CHILD_APP, Map.of("parent_job_id", parent)))) {
            await("the child is held", () -> proxy.admission().holds().held() == 1);

            RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-hal", Ee2Calls.call("cancel_job", Map.of("job_id", parent)));
            assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);

            // Answered long before children.maxWait (10 minutes): the parent's release woke it.
            RawHttp.Response answer = child.read();
            assertThat(answer.status()).as(answer.bodyText()).isIn(200, 500);
            assertThat(proxy.admission().holds().held()).isZero();
            assertThat(proxy.admissionCounter("held.child")).isPositive();
        }
    }

    @Test
    void beyondTheHoldCapACallIsRefusedWithRetryAfter() throws Exception {
        AdmissionPolicy waiting = PolicyLoader.parse(POLICY.replace("whenFull: refuse", "whenFull: hold\n  maxWait: 10m"),
                "parallel apps wait");
        try (ProxyExtension capped = ProxyExtension.withSimulator(PolicyGateTest::users).admission(waiting)
                .admissionConfig(a -> a.withMaxHeld(1)).build().start()) {
            Ee2Calls.jobId(run(capped, "gil", PARALLEL_APP, Map.of()));
            byte[] another = Ee2Calls.runJob(OTHER_PARALLEL_APP, Map.of());
            try (RawHttp held = Ee2Calls.start(capped.url(), "tok-gil", another)) {
                await("the second parallel app waits", () -> capped.admission().holds().held() == 1);

                RawHttp.Response refused = Ee2Calls.send(capped.url(), "tok-gil", another);

                assertThat(refused.status()).isEqualTo(500);
                assertThat(refused.header("content-type")).isEqualTo("application/json");
                assertThat(refused.header("Retry-After")).isEqualTo("60");
                assertThat(Ee2Calls.errorMessage(refused))
                        .contains("already has 1 job submissions waiting at the proxy", "admission.maxHeld", "not submitted");
                assertThat(capped.admissionCounter("hold.cap")).isEqualTo(1);
            }
        }
    }

    @Test
    void withoutAuth2AJobIsRefusedWhileOtherCallsPass() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closed + "/");
        try (ProxyExtension blind = ProxyExtension.withSimulator(PolicyGateTest::users).admission(POLICY)
                .admissionConfig(a -> a.withAuth(nowhere)).build().start()) {
            long forwarded = blind.simulator().calls(RUN_JOB);

            RawHttp.Response job = run(blind, "cat", PLAIN_APP, Map.of());
            RawHttp.Response check = Ee2Calls.send(blind.url(), "tok-cat",
                    Ee2Calls.call("check_job", Map.of("job_id", "0123456789abcdef01234567")));

            assertThat(job.status()).isEqualTo(500);
            assertThat(job.header("content-type")).isEqualTo("application/json");
            assertThat(Ee2Calls.errorMessage(job)).startsWith("ee2-admission-proxy could not verify your token with KBase auth")
                    .contains("the job was not submitted");
            assertThat(blind.simulator().calls(RUN_JOB)).isEqualTo(forwarded);
            assertThat(Ee2Calls.errorMessage(check)).doesNotContain("ee2-admission-proxy");
            assertThat(blind.admissionCounter("auth.unavailable")).isEqualTo(1);
        }
    }

    @Test
    void withoutAValidTokenTheCallReachesEe2UntouchedAndTakesNothing() throws Exception {
        long forwarded = proxy.simulator().calls(RUN_JOB);
        long decided = proxy.admissionCounter("admitted.parent") + proxy.admissionCounter("refused.parent");

        RawHttp.Response none = Ee2Calls.send(proxy.url(), null, Ee2Calls.runJob(PARALLEL_APP, Map.of()));
        RawHttp.Response invalid = Ee2Calls.send(proxy.url(), "tok-nobody", Ee2Calls.runJob(PARALLEL_APP, Map.of()));

        assertThat(none.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(none)).contains("Authentication required");
        assertThat(invalid.status()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(invalid)).contains("Token validation failed");
        assertThat(proxy.simulator().calls(RUN_JOB)).isEqualTo(forwarded + 2);
        assertThat(proxy.admissionCounter("admitted.parent") + proxy.admissionCounter("refused.parent")).isEqualTo(decided);
    }

    @Test
    void shadowModeAdmitsEverythingAndCountsWhatEnforceWouldHaveDone() throws Exception {
        AdmissionPolicy shadow = PolicyLoader.parse("mode: shadow\n" + POLICY, "shadow policy");
        try (ProxyExtension watching = ProxyExtension.withSimulator(PolicyGateTest::users).admission(shadow).build().start()) {
            RawHttp.Response first = run(watching, "cat", PARALLEL_APP, Map.of());
            RawHttp.Response second = run(watching, "cat", PARALLEL_APP, Map.of());

            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).as(second.bodyText()).isEqualTo(200);
            assertThat(watching.admissionCounter("shadow.refused.parent")).isEqualTo(1);
            assertThat(watching.admissionCounter("admitted.parent")).isEqualTo(2);
        }
    }
}
