package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * Issue 16, item 5: finish_job and cancel_job free only the job EE2 acted on (their
 * {@code job_id}), only after EE2's success for that call, and only the lease of the caller's own
 * user, or any lease for an EE2 admin. One parallel app per user, refused beyond it.
 */
class LifecycleReleaseScopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARALLEL_APP = PolicyGateTest.PARALLEL_APP;
    private static final String PLAIN_APP = PolicyGateTest.PLAIN_APP;

    /** One parallel app per user. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(LifecycleReleaseScopeTest::users)
            .admission(PolicyGateTest.POLICY).build();

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600).token("tok-ops", "ops", "EE2_ADMIN");
        for (String user : new String[] {"ada", "bo", "cy", "wes"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    private static int parents(ProxyExtension through, String user) {
        return through.admission().ledger().counts(user).toCompletableFuture().join().parents();
    }

    private static JobStatus statusAtEe2(String jobId) {
        return proxy.simulator().jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst().orElseThrow().status();
    }

    /** A job made straight at EE2 (the proxy never saw it) and cancelled there. */
    private static String finishedBehindTheProxy(String user) throws IOException {
        String job = Ee2Calls.jobId(Ee2Calls.send(proxy.simulator().url(), "tok-" + user, Ee2Calls.runJob(PLAIN_APP, Map.of())));
        Ee2Calls.send(proxy.simulator().url(), "tok-" + user, Ee2Calls.call("cancel_job", Map.of("job_id", job)));
        return job;
    }

    @Test
    void aCancelFreesOnlyItsJobIdNotEveryIdItNames() throws Exception {
        String parent = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ada", Ee2Calls.runJob(PARALLEL_APP, Map.of())));
        String done = finishedBehindTheProxy("ada");

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-ada",
                Ee2Calls.call("cancel_job", Map.of("job_id", done, "job_ids", java.util.List.of(parent))));

        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);
        assertThat(statusAtEe2(parent).isTerminal()).as("EE2 used job_id only").isFalse();
        RawHttp.Response second = Ee2Calls.send(proxy.url(), "tok-ada", Ee2Calls.runJob(PARALLEL_APP, Map.of()));
        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(second)).contains("limit is 1");
        assertThat(parents(proxy, "ada")).isEqualTo(1);
    }

    @Test
    void anotherUsersCallNamingAParentFreesNothing() throws Exception {
        String parent = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-cy", Ee2Calls.runJob(PARALLEL_APP, Map.of())));
        String bos = finishedBehindTheProxy("bo");

        RawHttp.Response cancel = Ee2Calls.send(proxy.url(), "tok-bo",
                Ee2Calls.call("cancel_job", Map.of("job_id", bos, "job_ids", java.util.List.of(parent))));
        RawHttp.Response finish = Ee2Calls.send(proxy.url(), "tok-bo",
                Ee2Calls.call("finish_job", Map.of("job_id", parent, "error_message", "x")));

        assertThat(cancel.status()).as(cancel.bodyText()).isEqualTo(200);
        assertThat(finish.status()).as("EE2 refuses bo's finish of cy's job").isEqualTo(500);
        RawHttp.Response second = Ee2Calls.send(proxy.url(), "tok-cy", Ee2Calls.runJob(PARALLEL_APP, Map.of()));
        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(parents(proxy, "cy")).isEqualTo(1);
    }

    /**
     * EE2 lets a workspace writer cancel a job it shares (the simulator has no workspaces: a
     * scripted EE2 answers success to every cancel_job). Only the owner or an EE2 admin frees its lease.
     */
    @Test
    void ee2sSuccessForACallerWhoIsNeitherTheOwnerNorAnAdminFreesNothing() throws Exception {
        try (ProxyExtension shared = ProxyExtension.withTestUpstream((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(
                        HttpResponseStatus.OK, "{\"version\": \"1.1\", \"result\": null, \"id\": "
                                + idOf(req.content().toString(StandardCharsets.UTF_8)) + "}")))
                .admission(PolicyGateTest.POLICY).admissionConfig(a -> a.withAuth(proxy.simulator().url())).build().start()) {
            String parent = "65a1b2c3d4e5f60718293a4b";
            shared.admission().ledger().adopt("ada", parent, SlotClaim.parentAt(0, "kb_Bowtie2")).toCompletableFuture().join();
            long notOwner = shared.registry().counter("ee2proxy.tracking.release.not_owner").getCount();

            RawHttp.Response byWriter = Ee2Calls.send(shared.url(), "tok-wes", Ee2Calls.call("cancel_job", Map.of("job_id", parent)));

            assertThat(byWriter.status()).isEqualTo(200);
            await("the writer's cancel judged", () -> shared.registry().counter("ee2proxy.tracking.release.not_owner")
                    .getCount() == notOwner + 1);
            assertThat(parents(shared, "ada")).isEqualTo(1);

            RawHttp.Response byAdmin = Ee2Calls.send(shared.url(), "tok-ops",
                    Ee2Calls.call("cancel_job", Map.of("job_id", parent, "as_admin", 1)));

            assertThat(byAdmin.status()).isEqualTo(200);
            await("an EE2 admin's cancel frees the owner's lease", () -> parents(shared, "ada") == 0);
        }
    }

    private static String idOf(String request) {
        try {
            return JSON.writeValueAsString(JSON.readTree(request).get("id"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
