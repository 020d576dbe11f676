package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * EE2 may start a job before its run_job reply is back at the proxy: a parallel app's child
 * parallel app can then arrive while the parent's lease is still provisional (counted, not yet
 * bound to the parent's job id). Taken for a top-level parallel app it would wait on the cap its
 * own parent holds, for good; instead it is classified again while held and admitted one level
 * deeper once the parent is bound. (Randomized workloads at high simulator speed found this.)
 */
class ParentNotYetBoundTest {
    /** One parallel app, one level of nesting. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(b -> b.defaultSeconds(3600).token("tok-lia", "lia"))
            .admission("""
                slots: 3
                parents:
                  maxPerUser: 1
                  maxNestingDepth: 1
                  whenFull: hold
                  maxWait: 1m
                """).build();

    @Test
    void aChildParallelAppArrivingBeforeItsParentIsBoundIsAdmittedOnceItIs() throws Exception {
        SlotLedger ledger = proxy.admission().ledger();
        // The parent's run_job as the proxy admits it: a lease taken under a ticket, then EE2 creates the job...
        assertThat(ledger.tryAcquire("lia", "parent-ticket", new SlotDemand(
                List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), 1, SlotDemand.UNLIMITED)).toCompletableFuture().join()
                .admitted()).isTrue();
        String parent = Ee2Calls.jobId(Ee2Calls.send(proxy.simulator().url(), "tok-lia",
                Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));

        // ...and its child parallel app arrives before EE2's reply reached the proxy.
        try (RawHttp child = Ee2Calls.start(proxy.url(), "tok-lia",
                Ee2Calls.runJob(PolicyGateTest.OTHER_PARALLEL_APP, Map.of("parent_job_id", parent)))) {
            await("the child parallel app is held", () -> proxy.admissionCounter("held.parent") >= 1);
            ledger.bind("lia", "parent-ticket", List.of(parent)).toCompletableFuture().join();
            long bound = System.nanoTime();

            RawHttp.Response admitted = child.read();

            assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
            assertThat((System.nanoTime() - bound) / 1e9).as("seconds from the bind to the admission")
                    .isLessThan(PolicyGate.RECLASSIFY_EVERY.toSeconds() + 5);
        }
        assertThat(ledger.counts("lia").toCompletableFuture().join().parents()).isEqualTo(2);
    }
}
