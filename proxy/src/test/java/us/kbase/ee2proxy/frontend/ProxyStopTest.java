package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.admission.AdmissionGate;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.admission.Verdict;
import us.kbase.ee2proxy.jsonrpc.Ee2Method;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * Stopping the proxy with toy gates: {@link ProxyServer#close()} answers every call still waiting
 * for its verdict (a Forward that arrives later never reaches EE2 and gives its leases back);
 * {@link ProxyServer#drainAndClose} lets a call already sent to EE2 finish and closes its connection after.
 */
class ProxyStopTest {
    private static final byte[] RUN_JOB = ("{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": "
            + "\"kb_Bowtie2.align\", \"app_id\": \"kb_Bowtie2/align\"}], \"version\": \"1.1\", \"id\": \"r1\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] CHECK_JOB = ("{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": "
            + "\"0123456789abcdef01234567\"}], \"version\": \"1.1\", \"id\": \"c1\"}").getBytes(StandardCharsets.UTF_8);

    private ProxyExtension proxy;

    @AfterEach
    void stop() {
        proxy.close();
    }

    /** The test's proxy, with its toy {@code gate}; the test stops it. */
    private URI start(AdmissionGate gate) throws Exception {
        proxy = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).server((e, b) -> b.gate(gate)).build().start();
        return proxy.url();
    }

    /** Records the observer's callbacks. */
    private static final class RecordingObserver implements ReplyObserver {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onReply(int status, ByteBuf body) {
            events.add("reply " + status);
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            events.add("failure " + failure.kind());
        }

        @Override
        public void onNotForwarded() {
            events.add("not forwarded");
        }
    }

    private static void assertStopping(RawHttp.Response r, String id) {
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(r.header("Retry-After")).isNotNull();
        assertThat(r.bodyText()).startsWith("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": "
                + "\"ee2-admission-proxy is stopping").contains("not submitted").contains("again")
                .endsWith("\"id\": \"" + id + "\", \"version\": \"1.1\"}");
    }

    @Test
    void closeAnswersACallAwaitingItsVerdictAndALateForwardGivesItsLeasesBack() throws Exception {
        CompletableFuture<Verdict> source = new CompletableFuture<>();
        // Not cancellable through toCompletableFuture(): the verdict still arrives, after the close.
        CompletionStage<Verdict> uncancellable = source.minimalCompletionStage();
        URI url = start((call, caller) -> call.method() == Ee2Method.RUN_JOB ? uncancellable : Verdict.FORWARD_NOW);
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", RUN_JOB));
            await("the call awaits its verdict", () -> proxy.server().metrics().requestsInFlight() == 1);

            proxy.server().close();

            assertStopping(client.read(), "r1");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(proxy.server().metrics().requestsInFlight()).isZero();
        RecordingObserver observer = new RecordingObserver();
        source.complete(Verdict.forward(observer)); // the event loops are gone by now
        assertThat(observer.events.poll(10, TimeUnit.SECONDS)).isEqualTo("not forwarded");
        assertThat(observer.events.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(proxy.upstream().poll(200)).isNull();
    }

    @Test
    void closeCancelsAVerdictTheGateCanStillCancel() throws Exception {
        CompletableFuture<Verdict> hold = new CompletableFuture<>();
        URI url = start((call, caller) -> hold);
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", RUN_JOB));
            await("the call awaits its verdict", () -> proxy.server().metrics().requestsInFlight() == 1);

            proxy.server().close();

            assertStopping(client.read(), "r1");
        }
        assertThat(hold).isCancelled();
        assertThat(proxy.upstream().poll(200)).isNull();
    }

    @Test
    void aDrainLetsACallSentToEe2FinishThenClosesItsConnection() throws Exception {
        URI url = start((call, caller) -> Verdict.FORWARD_NOW);
        proxy.upstream().behave((ctx, req) -> ctx.executor().schedule(() -> TestUpstream.EE2_OK.answer(ctx, req), 1, TimeUnit.SECONDS));
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", CHECK_JOB));
            proxy.upstream().next();

            boolean drained = proxy.server().drainAndClose(Duration.ofSeconds(20));

            assertThat(drained).isTrue();
            RawHttp.Response r = client.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByServer()).isTrue();
        }
    }
}
