package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * A replica that stops while it holds calls: closed at once, or drained (SIGTERM). Either way every
 * held call is answered at once with an EE2-shaped "not submitted, submit again" error and its
 * connection closed; nothing held reaches EE2 and no slot is taken. A drain does not wait for the
 * holds' maxWait (10 minutes here).
 */
class HeldCallsAtStopTest {
    /** A proxy for each test (each stops its own), parents held for 10 minutes. */
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension
            .withSimulator(b -> b.defaultSeconds(3600).token("tok-ida", "ida").token("tok-jon", "jon")).admission("""
                slots: 3
                parents:
                  maxPerUser: 1
                  maxNestingDepth: 0
                  whenFull: hold
                  maxWait: 10m
                """).build();

    @Test
    void closeAnswersEveryHeldCallAtOnceAndSubmitsNothing() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        try {
            Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
            for (int i = 0; i < 3; i++) {
                held.add(Ee2Calls.start(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
            }
            await("three parallel apps held", () -> proxy.admission().holds().held() == 3);
            long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

            long start = System.nanoTime();
            proxy.server().close();
            for (RawHttp client : held) {
                RawHttp.Response r = client.read();
                assertStoppingAnswer(r);
                assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(proxy.admission().holds().held()).isZero();
            assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
            assertThat(proxy.admission().ledger().counts("ida").toCompletableFuture().join().parents()).isEqualTo(1);
        } finally {
            for (RawHttp client : held) {
                client.close();
            }
        }
    }

    @Test
    void aDrainAnswersHeldCallsAtItsStartInsteadOfWaitingForTheirMaxWait() throws Exception {
        Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-jon", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        try (RawHttp held = Ee2Calls.start(proxy.url(), "tok-jon", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of()))) {
            await("a parallel app held", () -> proxy.admission().holds().held() == 1);
            long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.server().drainAndClose(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            RawHttp.Response r = held.read();
            assertStoppingAnswer(r);
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(held.closedByServer()).isTrue();
            assertThat(drained.get(10, TimeUnit.SECONDS)).as("drained well before the hold's 10 minutes").isTrue();
            assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
            assertThat(proxy.admission().holds().held()).isZero();
        }
    }

    @Test
    void onceAGateStopsHoldingACallThatWouldBeHeldIsAnsweredAtOnceAndOthersGoOn() throws Exception {
        Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        long forwarded = proxy.simulator().calls(PolicyGateTest.RUN_JOB);

        proxy.admission().gate().stopHolding();

        // what a drain does first: a call arriving on a kept-alive connection meanwhile
        assertStoppingAnswer(Ee2Calls.send(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PARALLEL_APP, Map.of())));
        assertThat(proxy.simulator().calls(PolicyGateTest.RUN_JOB)).isEqualTo(forwarded);
        Ee2Calls.jobId(Ee2Calls.send(proxy.url(), "tok-ida", Ee2Calls.runJob(PolicyGateTest.PLAIN_APP, Map.of())));
        assertThat(proxy.admission().holds().held()).isZero();
    }

    static void assertStoppingAnswer(RawHttp.Response r) {
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("Retry-After")).isNotNull();
        assertThat(r.bodyText()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"")
                .contains("\"version\": \"1.1\"");
        assertThat(Ee2Calls.json(r).path("id").asText()).isNotEmpty();
        assertThat(Ee2Calls.errorMessage(r)).contains("stopping").contains("not submitted").contains("again");
    }
}
