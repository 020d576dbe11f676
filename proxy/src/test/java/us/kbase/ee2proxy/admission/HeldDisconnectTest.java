package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * Held calls whose clients go away, as a killed process's do (a FIN, or a RST when data was left
 * unread), or that half-close: each hold is dropped at once (the held-calls gauge falls back with
 * it) and nothing of theirs ever reaches EE2, even once slots free up.
 */
class HeldDisconnectTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** Parents held for 10 minutes. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension
            .withSimulator(b -> b.defaultSeconds(3600).token("tok-kim", "kim").token("tok-lou", "lou")).admission("""
                slots: 3
                parents:
                  maxPerUser: 1
                  maxNestingDepth: 0
                  whenFull: hold
                  maxWait: 10m
                """).build();

    private static int heldNow() {
        return ((Number) proxy.registry().getGauges().get("ee2proxy.admission.held.now").getValue()).intValue();
    }

    @Test
    void heldCallsWhoseClientsCloseOrResetAreDroppedAtOnceAndNeverSent() throws Exception {
        String running = Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-kim", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        List<RawHttp> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clients.add(Ee2Calls.start(proxy.url(), "tok-kim", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        }
        await("40 parallel apps held", () -> heldNow() == 40);
        long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

        for (int i = 0; i < clients.size(); i++) {
            if (i % 2 == 0) {
                clients.get(i).close();
            } else {
                clients.get(i).reset();
            }
        }
        await("every hold dropped", PROMPTLY, () -> heldNow() == 0);

        // A slot frees up: had any of them stayed held, it would be sent now.
        Ee2Calls.send(proxy.url(), "tok-kim", Ee2Calls.call("cancel_job", Map.of("job_id", running)));
        await("the parallel app's slot is free", () ->
                proxy.admission().ledger().counts("kim").toCompletableFuture().join().parents() == 0);
        Thread.sleep(500);
        assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
    }

    @Test
    void aHeldCallWhoseClientHalfClosesIsAnsweredAndDropped() throws Exception {
        Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-lou", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        try (RawHttp client = Ee2Calls.start(proxy.url(), "tok-lou", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()))) {
            await("a parallel app held", () -> proxy.admission().holds().held() == 1);
            long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

            client.halfClose();

            RawHttp.Response r = client.read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(r)).contains("closed its sending side").contains("no job was submitted");
            assertThat(client.closedByServer()).isTrue();
            await("the hold dropped", PROMPTLY, () -> proxy.admission().holds().held() == 0);
            assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
        }
    }
}
