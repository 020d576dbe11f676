package us.kbase.ee2proxy.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static us.kbase.ee2proxy.testing.Await.await;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.get;
import static us.kbase.ee2proxy.tracking.Ee2ClientTest.runJob;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * Job tracking tells whose job a cancel_job cancelled only when EE2 accepted it from the job's
 * owner or an EE2 admin: the owner of the lease, or the caller when no lease is known.
 */
class AppCancelledTest {
    private static final InMemorySlotLedger ledger = new InMemorySlotLedger(LeaseTerms.DEFAULT);
    private static final List<String> TOLD = new CopyOnWriteArrayList<>();
    /** Only the tracker as the proxy's gate, telling {@link #TOLD} of cancelled apps. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(b -> b.token("alice-token", "alice")
                    .token("bob-token", "bob").token("admin-token", "ops", "EE2_ADMIN").defaultSeconds(3600))
            .server((e, b) -> {
                JobTracker tracker = new JobTracker(ledger, CallerIdentity.of(new Auth2Identity(
                        IdentitySettings.of(e.simulator().url()), new MetricRegistry())), new MetricRegistry());
                tracker.onAppCancelled((owner, jobId) -> TOLD.add(owner + " " + jobId));
                b.gate(tracker);
            }).build();
    private static Ee2Client direct;
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

    private static String app() {
        String jobId = runJob(direct, "alice-token", "kb_Bowtie2.align_reads_to_assembly_app", null);
        assertThat(get(ledger.adopt("alice", jobId, SlotClaim.parentAt(0, "kb_Bowtie2")).toCompletableFuture())).isTrue();
        return jobId;
    }

    @Test
    void anotherUsersRefusedCancelTellsNothingTheAdminsTellsTheOwner() {
        String app = app();
        assertThatThrownBy(() -> get(viaProxy.cancelJob("bob-token", app, false))).hasMessageContaining("ermission");
        // bob's own cancel of his job, sent after the refused one: once he is told, the refused one told nothing.
        String bobs = runJob(direct, "bob-token", "kb_quast.run_QUAST", null);
        get(viaProxy.cancelJob("bob-token", bobs, false));
        await("bob told of his own job", () -> TOLD.contains("bob " + bobs));
        assertThat(TOLD).doesNotContain("alice " + app, "bob " + app);
        get(viaProxy.cancelJob("admin-token", app, true));
        await("the owner told", () -> TOLD.contains("alice " + app));
        assertThat(TOLD).noneMatch(t -> t.startsWith("ops ")).doesNotContain("bob " + app);
    }

    @Test
    void theOwnersCancelOfAJobWithNoLeaseTellsTheCaller() {
        String job = runJob(direct, "alice-token", "kb_quast.run_QUAST", null);
        get(viaProxy.cancelJob("alice-token", job, false));
        await("the caller told", () -> TOLD.contains("alice " + job));
    }
}
