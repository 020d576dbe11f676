package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * What happens when a hold's time is up and nothing was released: a parallel app is refused
 * (never admitted over its cap), a child is admitted anyway (aging). Waits of a few seconds stand
 * in for the policy's minutes.
 */
class HoldTimeTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension
            .withSimulator(b -> b.defaultSeconds(3600).token("tok-ida", "ida").token("tok-jon", "jon")).admission("""
                slots: 3
                parents:
                  maxPerUser: 1
                  maxNestingDepth: 0
                  whenFull: hold
                  maxWait: 2s
                children:
                  maxQueued: 0
                  maxWait: 2s
                """).build();

    @Test
    void aHeldParallelAppIsRefusedWhenItsWaitIsOver() throws Exception {
        Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

        try (RawHttp second = Ee2Calls.start(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()))) {
            await("the second parallel app is held", () -> proxy.admissionCounter("held.parent") == 1);
            RawHttp.Response refused = second.read();

            assertThat(refused.status()).isEqualTo(500);
            assertThat(refused.header("Retry-After")).isEqualTo("60");
            assertThat(Ee2Calls.errorMessage(refused)).contains("You have 1 parallel app running (kb_Bowtie2 x1); your limit is 1.")
                    .contains("waited").contains("was not started");
        }
        assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
        assertThat(proxy.admissionCounter("refused.parent")).isEqualTo(1);
    }

    @Test
    void aHeldChildIsAdmittedAnywayWhenItsWaitIsOver() throws Exception {
        for (int i = 0; i < 3; i++) {
            Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-jon", Ee2Calls.runJob(PolicyGateTest.PLAIN_APP, Map.of())));
        }
        try (RawHttp child = Ee2Calls.start(proxy.url(), "tok-jon",
                Ee2Calls.runJob(PolicyGateTest.CHILD_APP, Map.of("parent_job_id", "0123456789abcdef01234567")))) {
            await("the child is held", () -> proxy.admissionCounter("held.child") == 1);
            RawHttp.Response admitted = child.read();

            assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        }
        assertThat(proxy.admission().ledger().counts("jon").toCompletableFuture().join().jobs()).isEqualTo(4);
        assertThat(proxy.registry().timer("ee2proxy.admission.hold.seconds").getCount()).isPositive();
    }
}
