package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.get;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.runJob;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * The proxy with job tracking as its gate, in front of the simulator: leases go when a call
 * passing through shows their job finished, and stay otherwise.
 */
class JobTrackerTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    /** Only the tracker as the proxy's gate. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(b -> b
                    .token("alice-token", "alice")
                    .token("bob-token", "bob")
                    .token("admin-token", "ops", "EE2_ADMIN")
                    .defaultSeconds(3600))
            .server((e, b) -> b.gate(new JobTracker(ledger, CallerIdentity.of(new Auth2Identity(
                    IdentitySettings.of(e.simulator().url()), new MetricRegistry())), new MetricRegistry())))
            .build();
    /** Straight to EE2: what happens behind the proxy's back. */
    private static Ee2Client direct;
    /** Through the proxy. */
    private static Ee2Client viaProxy;

    @BeforeAll
    static void connect() {
        direct = new Ee2Client(proxy.simulator().url(), Duration.ofSeconds(10));
        viaProxy = new Ee2Client(proxy.url(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    /** A job of alice's at EE2 whose lease the ledger holds. */
    private static String trackedJob() {
        String jobId = runJob(direct, "alice-token", "kb_uploadmethods.import_fastq", null);
        assertThat(get(ledger.adopt("alice", jobId, SlotClaim.job("kb_uploadmethods")).toCompletableFuture())).isTrue();
        return jobId;
    }

    private static boolean tracked(String jobId) {
        List<TrackedJob> jobs = get(ledger.trackedJobs("alice").toCompletableFuture());
        return jobs.stream().anyMatch(j -> j.jobId().equals(jobId));
    }

    private static void awaitReleased(String jobId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tracked(jobId)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("lease of " + job(jobId) + " was never released");
            }
            sleep();
        }
    }

    private static String job(String jobId) {
        return jobId + " (" + get(direct.checkJob("alice-token", jobId)).status() + ")";
    }

    private static CompletableFuture<JsonNode> call(String token, String method, ObjectNode params) {
        return viaProxy.call(token, method, params);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static ObjectNode jobParams(String jobId) {
        return JSON.createObjectNode().put("job_id", jobId);
    }

    @Test
    void aCancelThroughTheProxyFreesTheLease() {
        String jobId = trackedJob();

        get(call("alice-token", "cancel_job", jobParams(jobId)));

        awaitReleased(jobId);
    }

    @Test
    void aFinishThroughTheProxyFreesTheLease() {
        String jobId = trackedJob();
        get(call("alice-token", "finish_job", jobParams(jobId).put("error_message", "out of memory").put("error_code", 1)));

        awaitReleased(jobId);
    }

    @Test
    void aTerminalStateInAnyStatusReplyFreesTheLease() {
        String[] jobs = {trackedJob(), trackedJob(), trackedJob(), trackedJob(), trackedJob()};
        for (String jobId : jobs) {
            get(direct.call("alice-token", "cancel_job", jobParams(jobId))); // behind the proxy's back
        }

        get(call("alice-token", "check_job", jobParams(jobs[0])));
        get(call("alice-token", "check_job_canceled", jobParams(jobs[1])));
        get(call("alice-token", "get_job_status", jobParams(jobs[2])));
        ObjectNode narrativeForm = JSON.createObjectNode().put("return_list", 0);
        narrativeForm.putArray("job_ids").add(jobs[3]);
        get(call("alice-token", "check_jobs", narrativeForm));
        ObjectNode listForm = JSON.createObjectNode();
        listForm.putArray("job_ids").add(jobs[4]);
        get(call("alice-token", "check_jobs", listForm));

        for (String jobId : jobs) {
            awaitReleased(jobId);
        }
    }

    @Test
    void unfinishedJobsAndRefusedCallsKeepTheirLeases() {
        String running = trackedJob();
        String notBobs = trackedJob();

        get(call("alice-token", "check_job", jobParams(running)));
        get(call("alice-token", "check_job_canceled", jobParams(running)));
        get(call("alice-token", "update_job_status", jobParams(running).put("status", "running")));
        assertThatThrownBy(() -> get(call("bob-token", "cancel_job", jobParams(notBobs))))
                .isInstanceOfSatisfying(Ee2CallException.class, e -> assertThat(e.refused()).isTrue());
        // Observers run when EE2's reply reaches the proxy, before the client has it; the
        // in-memory ledger answers at once: nothing is still on its way.
        assertThat(tracked(running)).isTrue();
        assertThat(tracked(notBobs)).isTrue();
    }

    @Test
    void anAdminsCancelFreesTheOwnersLease() {
        String jobId = trackedJob();

        get(call("admin-token", "cancel_job", jobParams(jobId).put("as_admin", 1)));

        awaitReleased(jobId);
    }
}
