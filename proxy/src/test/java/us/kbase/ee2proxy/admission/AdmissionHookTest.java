package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.Timeouts;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;
import us.kbase.ee2proxy.jsonrpc.Ee2Method;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/** The admission hook with toy gates: what a gate sees, and that every verdict is carried out. */
class AdmissionHookTest {
    private static final byte[] RUN_JOB = ("{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": "
            + "\"kb_Bowtie2.align\", \"app_id\": \"kb_Bowtie2/align\"}], \"version\": \"1.1\", \"id\": \"r1\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] CHECK_JOB = ("{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": "
            + "\"0123456789abcdef01234567\"}], \"version\": \"1.1\", \"id\": \"c1\"}").getBytes(StandardCharsets.UTF_8);

    private ProxyExtension proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The test's proxy, in front of what {@code b} says, with a toy {@code gate}. */
    private URI start(AdmissionGate gate, ProxyExtension.Builder b, Duration clientIdle) throws Exception {
        proxy = b.config(c -> c.withTimeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), clientIdle)))
                .server((e, s) -> s.gate(gate)).build().start();
        return proxy.url();
    }

    private URI start(AdmissionGate gate) throws Exception {
        return start(gate, ProxyExtension.withTestUpstream(TestUpstream.EE2_OK), Duration.ofSeconds(60));
    }

    /** What a gate saw of one call. */
    private record Seen(Ee2Method method, String authorization, String host) {}

    /** Records every observer callback, to assert there was exactly one. */
    private static final class RecordingObserver implements ReplyObserver {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onReply(int status, ByteBuf body) {
            events.add("reply " + status + " " + body.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            events.add("failure " + failure.kind() + " reached=" + failure.kind().mayHaveReachedEe2());
        }

        @Override
        public void onNotForwarded() {
            events.add("not forwarded");
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an observer callback within 10 s").isNotNull();
            return e;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void theGateSeesEachCallWithItsCallerAndTheFastPathForwardsTheOriginalBytes() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        URI url = start((call, caller) -> {
            seen.add(new Seen(call.method(), caller.authorization(),
                    ((InetSocketAddress) caller.address()).getAddress().getHostAddress()));
            return Verdict.FORWARD_NOW;
        });
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", CHECK_JOB, "Authorization: tok-1")).read().status()).isEqualTo(200);
            assertThat(client.send(RawHttp.post("/", RUN_JOB)).read().status()).isEqualTo(200);
            // Neither a parse error nor OPTIONS reaches the gate.
            assertThat(client.send(RawHttp.post("/", "{".getBytes(StandardCharsets.UTF_8))).read().bodyText()).contains("-32700");
            client.send("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n").read();
        }
        assertThat(List.of(seen.take(), seen.take())).containsExactly(
                new Seen(Ee2Method.CHECK_JOB, "tok-1", "127.0.0.1"), new Seen(Ee2Method.RUN_JOB, null, "127.0.0.1"));
        assertThat(seen).isEmpty();
        assertThat(proxy.upstream().next().body()).isEqualTo(CHECK_JOB);
        assertThat(proxy.upstream().next().body()).isEqualTo(RUN_JOB);
    }

    @Test
    void anAnswerVerdictRefusesWithItsHeadersAndTheCallsIdAndNothingReachesEe2() throws Exception {
        URI url = start((call, caller) -> call.method() == Ee2Method.RUN_JOB
                ? CompletableFuture.completedFuture(Verdict.answer(Ee2ErrorReply.serverError(
                        "You have 5 parallel apps running; your limit is 5.").withHeader("Retry-After", "60")))
                : Verdict.FORWARD_NOW);
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Response r = client.send(RawHttp.post("/", RUN_JOB)).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.header("Retry-After")).isEqualTo("60");
            assertThat(r.bodyText()).isEqualTo("{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": "
                    + "\"You have 5 parallel apps running; your limit is 5.\", \"error\": null}, \"id\": \"r1\", \"version\": \"1.1\"}");
            // the connection goes on serving
            assertThat(client.send(RawHttp.post("/", CHECK_JOB)).read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().body()).isEqualTo(CHECK_JOB);
        assertThat(proxy.upstream().poll(200)).isNull();
    }

    @Test
    void aHeldRequestOutlivesTheIdleTimeoutAndIsForwardedWhenReleased() throws Exception {
        CompletableFuture<Verdict> hold = new CompletableFuture<>();
        URI url = start((call, caller) -> call.method() == Ee2Method.RUN_JOB ? hold : Verdict.FORWARD_NOW,
                ProxyExtension.withTestUpstream(TestUpstream.EE2_OK), Duration.ofSeconds(1));
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", RUN_JOB));
            Thread.sleep(2500); // well past the 1 s idle timeout, on purpose
            assertThat(proxy.upstream().poll(0)).as("nothing forwarded while held").isNull();
            hold.complete(Verdict.FORWARD);
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(proxy.upstream().next().body()).isEqualTo(RUN_JOB);
    }

    @Test
    void aClientLeavingWhileHeldCancelsTheHoldAndTheRequestIsNeverForwarded() throws Exception {
        CompletableFuture<Verdict> hold = new CompletableFuture<>();
        URI url = start((call, caller) -> hold);
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", RUN_JOB));
            awaitTrue(() -> proxy.server().metrics().openConnections() == 1, "the proxy has the connection");
        }
        awaitTrue(hold::isCancelled, "the gate's stage is cancelled when the client leaves");
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    @Test
    void aForwardVerdictArrivingAfterTheClientLeftIsNeverSentAndTheObserverIsTold() throws Exception {
        CompletableFuture<Verdict> source = new CompletableFuture<>();
        // A minimal stage cannot be cancelled through toCompletableFuture(): the verdict still arrives.
        CompletionStage<Verdict> uncancellable = source.minimalCompletionStage();
        URI url = start((call, caller) -> uncancellable);
        try (RawHttp client = new RawHttp(url)) {
            client.send(RawHttp.post("/", RUN_JOB));
            awaitTrue(() -> proxy.server().metrics().openConnections() == 1, "the proxy has the connection");
        }
        awaitTrue(() -> proxy.server().metrics().openConnections() == 0, "the proxy saw the client leave");
        RecordingObserver observer = new RecordingObserver();
        source.complete(Verdict.forward(observer));
        assertThat(observer.next()).isEqualTo("not forwarded");
        assertThat(proxy.upstream().poll(300)).isNull();
        assertThat(observer.events).isEmpty();
    }

    @Test
    void anObserverGetsExactlyOneCallbackWithEe2sReply() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        URI url = start((call, caller) -> CompletableFuture.completedFuture(
                call.method() == Ee2Method.RUN_JOB ? Verdict.forward(observer) : Verdict.FORWARD));
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Response r = client.send(RawHttp.post("/", RUN_JOB)).read();
            assertThat(r.status()).isEqualTo(200);
            client.send(RawHttp.post("/", CHECK_JOB)).read();
        }
        assertThat(observer.next()).isEqualTo("reply 200 {\"version\": \"1.1\", \"result\": [\"ok\"], \"id\": \"1\"}");
        assertThat(observer.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anObserverGetsExactlyOneCallbackWithTheUpstreamFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RecordingObserver observer = new RecordingObserver();
        URI url = start((call, caller) -> CompletableFuture.completedFuture(Verdict.forward(observer)),
                ProxyExtension.inFrontOf(URI.create("http://127.0.0.1:" + closedPort + "/")), Duration.ofSeconds(60));
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", RUN_JOB)).read().bodyText()).contains("connection refused");
        }
        assertThat(observer.next()).isEqualTo("failure UNREACHABLE reached=false");
        assertThat(observer.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aFailingGateIsAnEe2ErrorAndNothingIsForwarded() throws Exception {
        URI url = start((call, caller) -> CompletableFuture.failedFuture(new IllegalStateException("ledger bug")));
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Response r = client.send(RawHttp.post("/", RUN_JOB)).read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.bodyText()).contains("could not decide whether to submit this request").contains("\"id\": \"r1\"");
        }
        assertThat(proxy.upstream().poll(300)).isNull();
    }

    /** A gate that is deciding, not holding (it has no holds to stop): the drain waits for its verdict. */
    @Test
    void drainingWaitsForAVerdictStillBeingMadeAndNoRequestIsLeftCounted() throws Exception {
        CompletableFuture<Verdict> hold = new CompletableFuture<>();
        URI url = start((call, caller) -> call.method() == Ee2Method.RUN_JOB ? hold : Verdict.FORWARD_NOW);
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send(RawHttp.post("/", CHECK_JOB)).read().status()).isEqualTo(200);
            client.send(RawHttp.post("/", RUN_JOB));
            awaitTrue(() -> proxy.server().metrics().requestsInFlight() == 1, "the undecided request counts as in flight");
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.server().drainAndClose(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(drained).as("still waiting for the verdict").isNotDone();
            hold.complete(Verdict.FORWARD);
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(drained.get(20, TimeUnit.SECONDS)).isTrue();
        }
        proxy = null;
    }

    @Test
    void passThroughIsAnAlreadySettledConstant() {
        SniffResult.Call any = null;
        CompletionStage<Verdict> v = PassThroughGate.INSTANCE.decide(any, null);
        assertThat(v).isSameAs(Verdict.FORWARD_NOW);
        assertThat(v.toCompletableFuture().getNow(null)).isSameAs(Verdict.FORWARD);
        assertThat(v.toCompletableFuture().cancel(false)).isFalse();
    }
}
