package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * Any pipelining depth is answered in order, or refused past limits.maxPipelinedRequests before the
 * refused requests reach EE2 (issue 16, item 10). Before, Netty's codec closed the connection once
 * 128 requests were decoded and unanswered, under a call already sent to EE2, whose answer was lost.
 *
 * <p>The first call's answer waits until the client has sent everything, so the proxy's next read
 * takes many requests at once, as it did in the incident.
 */
class PipelineDepthTest {
    private static final int SENT = 300;

    private ProxyExtension proxy;
    private final CompletableFuture<Void> allSent = new CompletableFuture<>();

    @AfterEach
    void stop() {
        allSent.complete(null);
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The test's proxy, refusing past {@code maxPipelined}. */
    private ProxyExtension start(int maxPipelined) throws Exception {
        proxy = ProxyExtension.withTestUpstream((ctx, req) -> {
            String body = req.content().toString(StandardCharsets.UTF_8);
            CompletableFuture<Void> when = body.equals("{\"n\": 0}") ? allSent : CompletableFuture.completedFuture(null);
            when.thenRun(() -> ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.OK, body)));
        }).config(c -> c.withLimits(c.limits().withMaxPipelinedRequests(maxPipelined))).build().start();
        return proxy;
    }

    private static byte[] pipeline() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < SENT; i++) {
            all.writeBytes(RawHttp.post("/", ("{\"n\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return all.toByteArray();
    }

    /** Every answer until the proxy ends the connection. */
    private List<RawHttp.Response> sendAllAndReadAnswers() throws IOException {
        List<RawHttp.Response> answers = new ArrayList<>();
        try (RawHttp client = new RawHttp(proxy.url())) {
            client.send(pipeline());
            allSent.complete(null);
            while (answers.size() < SENT) {
                try {
                    answers.add(client.read());
                } catch (IOException closed) {
                    break;
                }
            }
            if (answers.size() < SENT) {
                assertThat(client.endedByServer()).isTrue();
            }
        }
        return answers;
    }

    /** How many requests reached EE2, checking they came in order. */
    private int forwarded() throws InterruptedException {
        int n = 0;
        for (TestUpstream.Received r; (r = proxy.upstream().poll(500)) != null; n++) {
            assertThat(r.bodyText()).isEqualTo("{\"n\": " + n + "}");
        }
        return n;
    }

    /**
     * The answers are k calls in order, then (unless all were answered) one refusal and the end of
     * the connection; exactly those k reached EE2.
     */
    private static int assertAnsweredInOrderThenRefused(List<RawHttp.Response> answers) {
        int k = 0;
        while (k < answers.size() && answers.get(k).status() == 200) {
            assertThat(answers.get(k).bodyText()).isEqualTo("{\"n\": " + k + "}");
            k++;
        }
        if (k < SENT) {
            assertThat(answers).as("one refusal after the %d answered calls, then nothing", k).hasSize(k + 1);
            RawHttp.Response refusal = answers.get(k);
            MethodsTest.assertEe2Error(refusal, "limits.maxPipelinedRequests", "Neither this request nor any sent after it");
            assertThat(refusal.header("Connection")).isEqualTo("close");
        }
        return k;
    }

    @Test
    void morePipelinedCallsThanNettysDepthAreAnsweredInOrderOrRefusedBeforeTheyAreSent() throws Exception {
        start(ProxyConfig.DEFAULT_LIMITS.maxPipelinedRequests());
        List<RawHttp.Response> answers = sendAllAndReadAnswers();
        int answered = assertAnsweredInOrderThenRefused(answers);
        assertThat(answered).isPositive();
        assertThat(forwarded()).as("calls sent to EE2: each was answered").isEqualTo(answered);
    }

    @Test
    void pastASmallBoundTheRestIsRefusedAndNeverSent() throws Exception {
        start(4);
        List<RawHttp.Response> answers = sendAllAndReadAnswers();
        int answered = assertAnsweredInOrderThenRefused(answers);
        assertThat(answered).isBetween(1, SENT - 1);
        assertThat(forwarded()).isEqualTo(answered);
        assertThat(proxy.server().metrics().registry().counter("ee2proxy.errors.pipeline_too_deep").getCount()).isEqualTo(1);
    }

    @Test
    void withinTheBoundEveryPipelinedCallIsAnsweredInOrder() throws Exception {
        start(1000);
        List<RawHttp.Response> answers = sendAllAndReadAnswers();
        assertThat(assertAnsweredInOrderThenRefused(answers)).isEqualTo(SENT);
        assertThat(forwarded()).isEqualTo(SENT);
    }
}
