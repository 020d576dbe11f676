package us.kbase.ee2proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;
import us.kbase.ee2proxy.testing.TestUpstream;

/**
 * Issue 16, item 2: a provisional lease is given back only on an answer that proves EE2 created
 * no job (its own JSON-RPC error object for the call). An answer that proves nothing (an empty
 * 200 to a call with {@code "id": null}, a reply to HEAD, a gateway's 502, a JSON error without
 * the call's id) keeps it: the job may exist. One parallel app per user, refused beyond it.
 */
class UnprovenAnswerKeepsLeaseTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARALLEL_APP = PolicyGateTest.PARALLEL_APP;
    private static final String RUN_JOB = PolicyGateTest.RUN_JOB;

    /** One parallel app per user. */
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(UnprovenAnswerKeepsLeaseTest::users)
            .admission(PolicyGateTest.POLICY).build();

    private static Ee2Simulator.Builder users(Ee2Simulator.Builder b) {
        b.defaultSeconds(3600);
        for (String user : new String[] {"nia", "hed", "gat", "ero"}) {
            b.token("tok-" + user, user);
        }
        return b;
    }

    private static int parentsCounted(ProxyExtension through, String user) {
        return through.admission().ledger().counts(user).toCompletableFuture().join().parents();
    }

    /** The user's unfinished parallel apps at EE2 (the simulator): what the ledger must never undercount. */
    private static long parentsAtEe2(String user) {
        return proxy.simulator().jobs().stream()
                .filter(j -> j.user().equals(user) && !j.status().isTerminal() && j.app().equals(PARALLEL_APP))
                .count();
    }

    private static byte[] runJobWithId(String idJson) {
        return ("{\"method\": \"" + RUN_JOB + "\", \"params\": [{\"method\": \"" + PARALLEL_APP
                + "\", \"app_id\": \"kb_Bowtie2/align\", \"wsid\": 42}], \"version\": \"1.1\", \"id\": " + idJson + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRunJobWithANullIdKeepsItsSlotAlthoughEe2AnswersAnEmpty200() throws Exception {
        RawHttp.Response quiet = Ee2Calls.send(proxy.url(), "tok-nia", runJobWithId("null"));

        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.body()).as("EE2 answers a notification with nothing").isEmpty();
        assertThat(parentsAtEe2("nia")).as("yet EE2 created the job").isEqualTo(1);
        assertThat(parentsCounted(proxy, "nia")).isEqualTo(1);

        RawHttp.Response second = Ee2Calls.send(proxy.url(), "tok-nia", Ee2Calls.runJob(PARALLEL_APP, Map.of()));
        assertThat(second.status()).as(second.bodyText()).isEqualTo(500);
        assertThat(Ee2Calls.errorMessage(second)).contains("limit is 1");
        assertThat(parentsAtEe2("nia")).isEqualTo(1);
        assertThat(proxy.admissionCounter("lease.kept.unclear_answer")).isPositive();
    }

    /** Whatever the front end does with HEAD, a job EE2 created for it is counted. */
    @Test
    void aHeadRunJobNeverLeavesAJobUncounted() throws Exception {
        byte[] body = runJobWithId("\"h1\"");
        try (Socket socket = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("HEAD / HTTP/1.1\r\nHost: ee2\r\nAuthorization: tok-hed\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 ");
        }

        assertThat(parentsCounted(proxy, "hed")).isGreaterThanOrEqualTo((int) parentsAtEe2("hed"));
        RawHttp.Response next = Ee2Calls.send(proxy.url(), "tok-hed", Ee2Calls.runJob(PARALLEL_APP, Map.of()));
        assertThat(parentsAtEe2("hed")).as("parallel apps EE2 runs for one user, cap 1").isLessThanOrEqualTo(1);
        assertThat(next.status()).isIn(200, 500);
    }

    /**
     * What stands in front of EE2 decides nothing: EE2 (a scripted one) answers run_job as told,
     * and only its own error object for the call gives the slot back.
     */
    @Test
    void onlyEe2sOwnErrorForTheCallGivesTheSlotBack() throws Exception {
        try (ProxyExtension gated = ProxyExtension.withTestUpstream(TestUpstream.EE2_OK).admission(PolicyGateTest.POLICY)
                .admissionConfig(a -> a.withAuth(proxy.simulator().url())).build().start()) {
            TestUpstream ee2 = gated.upstream();
            ee2.behave((ctx, req) -> ctx.writeAndFlush(html(HttpResponseStatus.BAD_GATEWAY)));
            assertThat(submit(gated, "gat").status()).isEqualTo(502);
            assertThat(parentsCounted(gated, "gat")).as("a gateway's 502: EE2 may have made the job").isEqualTo(1);

            ee2.behave((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"upstream timed out\"}, "
                            + "\"id\": \"not-this-call\", \"version\": \"1.1\"}")));
            assertThat(submit(gated, "ero").status()).isEqualTo(500);
            assertThat(parentsCounted(gated, "ero")).as("an error object for another id").isEqualTo(1);

            ee2.behave((ctx, req) -> ctx.writeAndFlush(TestUpstream.json(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"no such app\", "
                            + "\"error\": \"Traceback...\"}, \"id\": " + idOf(req.content().toString(StandardCharsets.UTF_8))
                            + ", \"version\": \"1.1\"}")));
            RawHttp.Response refused = Ee2Calls.send(gated.url(), "tok-nia", Ee2Calls.runJob(PARALLEL_APP, Map.of()));
            assertThat(refused.status()).isEqualTo(500);
            assertThat(Ee2Calls.errorMessage(refused)).isEqualTo("no such app");
            assertThat(parentsCounted(gated, "nia")).as("EE2's own refusal of the call").isZero();
            assertThat(gated.admissionCounter("lease.kept.unclear_answer")).isEqualTo(2);
        }
    }

    private static RawHttp.Response submit(ProxyExtension through, String user) throws IOException {
        return Ee2Calls.send(through.url(), "tok-" + user, Ee2Calls.runJob(PARALLEL_APP, Map.of()));
    }

    private static String idOf(String request) {
        try {
            JsonNode id = JSON.readTree(request).get("id");
            return JSON.writeValueAsString(id);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static io.netty.handler.codec.http.FullHttpResponse html(HttpResponseStatus status) {
        io.netty.handler.codec.http.FullHttpResponse r = TestUpstream.json(status, "<html><body>502 Bad Gateway</body></html>");
        r.headers().set("content-type", "text/html");
        return r;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
