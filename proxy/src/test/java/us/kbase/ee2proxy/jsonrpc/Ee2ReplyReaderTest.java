package us.kbase.ee2proxy.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply.JobState;
import us.kbase.ee2proxy.sim.Ee2Simulator;

/** Replies of the EE2 simulator, over real sockets, read as job tracking reads them. */
class Ee2ReplyReaderTest {

    private static final String JOB_ID = "[0-9a-f]{24}";

    private static Ee2Simulator sim;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        sim = Ee2Simulator.builder().token("tok-alice", "alice").defaultSeconds(3600).build().start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void runJobNamesTheJobItCreated() throws Exception {
        Ee2Reply reply = call("run_job", "{\"method\": \"kb_Bowtie2.align\", \"wsid\": 42}");

        assertThat(reply).isInstanceOfSatisfying(Ee2Reply.JobsCreated.class, created -> {
            assertThat(created.batchId()).isNull();
            assertThat(created.jobIds()).singleElement().asString().matches(JOB_ID);
        });
    }

    @Test
    void runJobBatchNamesTheContainerAndEachChild() throws Exception {
        Ee2Reply.JobsCreated batch = (Ee2Reply.JobsCreated) call("run_job_batch",
                "[{\"method\": \"a.b\"}, {\"method\": \"c.d\"}], {\"wsid\": 42}");

        assertThat(batch.batchId()).matches(JOB_ID);
        assertThat(batch.jobIds()).hasSize(2).allMatch(id -> id.matches(JOB_ID));

        Ee2Reply states = call("check_job_batch", "{\"job_id\": \"" + batch.batchId() + "\"}");
        assertThat(states).isInstanceOfSatisfying(Ee2Reply.JobStates.class, s -> assertThat(s.states())
                .extracting(JobState::jobId)
                .containsExactlyInAnyOrder(batch.batchId(), batch.jobIds().get(0), batch.jobIds().get(1)));
    }

    @Test
    void checkCallsReportStatesAndACancelMakesThemTerminal() throws Exception {
        String job = created(call("run_job", "{\"method\": \"a.b\", \"wsid\": 7}"));
        assertThat(((Ee2Reply.JobStates) call("check_job", "{\"job_id\": \"" + job + "\"}")).states())
                .singleElement()
                .isIn(JobState.of(job, "queued", "alice"), JobState.of(job, "running", "alice"))
                .returns(false, JobState::terminal);

        assertThat(call("cancel_job", "{\"job_id\": \"" + job + "\"}")).isEqualTo(new Ee2Reply.Succeeded());

        JobState terminated = JobState.of(job, "terminated", "alice");
        assertThat(terminated.terminal()).isTrue();
        assertThat(call("check_job", "{\"job_id\": \"" + job + "\"}")).isEqualTo(states(terminated));
        assertThat(call("check_jobs", "{\"job_ids\": [\"" + job + "\"]}")).isEqualTo(states(terminated));
        assertThat(call("check_jobs", "{\"job_ids\": [\"" + job + "\"], \"return_list\": 0}")).isEqualTo(states(terminated));
        assertThat(call("get_job_status", "{\"job_id\": \"" + job + "\"}"))
                .isEqualTo(states(JobState.of(job, "terminated", null)));
        assertThat(call("check_job_canceled", "{\"job_id\": \"" + job + "\"}"))
                .isEqualTo(states(new JobState(job, "terminated", null, true)));
        assertThat(call("check_workspace_jobs", "{\"workspace_id\": 7}")).isEqualTo(states(terminated));
        Ee2Reply range = call("check_jobs_date_range_for_user", "{\"start_time\": 0, \"end_time\": " + Long.MAX_VALUE / 2 + "}");
        assertThat(((Ee2Reply.JobStates) range).states()).contains(terminated)
                .allSatisfy(state -> assertThat(state.jobId()).matches(JOB_ID));
    }

    @Test
    void retriesNameTheNewJobOrSayWhyNot() throws Exception {
        String ended = created(call("run_job", "{\"method\": \"a.b\"}"));
        String running = created(call("run_job", "{\"method\": \"a.b\"}"));
        call("cancel_job", "{\"job_id\": \"" + ended + "\"}");

        Ee2Reply.JobsRetried one = (Ee2Reply.JobsRetried) call("retry_job", "{\"job_id\": \"" + ended + "\"}");
        assertThat(one.retries()).singleElement().satisfies(r -> {
            assertThat(r.jobId()).isEqualTo(ended);
            assertThat(r.retryId()).matches(JOB_ID).isNotEqualTo(ended);
            assertThat(r.error()).isNull();
        });

        Ee2Reply.JobsRetried many = (Ee2Reply.JobsRetried) call("retry_jobs",
                "{\"job_ids\": [\"" + ended + "\", \"" + running + "\"]}");
        assertThat(many.retries()).hasSize(2);
        assertThat(many.retries().get(0).retryId()).matches(JOB_ID);
        assertThat(many.retries().get(1).retryId()).isNull();
        assertThat(many.retries().get(1).error()).contains("can only retry");
    }

    @Test
    void ee2sErrorObjectsForTheCallAreRefusals() throws Exception {
        assertThat(call("check_job", "{\"job_id\": \"000000000000000000000000\"}")).isInstanceOf(Ee2Reply.Refused.class);
        assertThat(call("run_job", "{\"method\": \"a.b\"}", null)).isEqualTo(new Ee2Reply.Refused("error -32000"));
    }

    @Test
    void onlyAnAnswerThatNamesTheCallProvesAnything() {
        SniffResult.Call runJob = sniffed("run_job", "{\"method\": \"a.b\"}");
        String error = "{\"error\": {\"code\": -32000, \"name\": \"Server error\", \"message\": \"m\"}, \"id\": ";
        assertThat(Ee2ReplyReader.read(runJob, 500, bytes(error + "\"42\", \"version\": \"1.1\"}")))
                .isEqualTo(new Ee2Reply.Refused("error -32000"));
        // Ids are compared as values: EE2 writes them as json.dumps does.
        SniffResult.Call numberId = (SniffResult.Call) JsonRpcSniffer.sniff(
                bytes("{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": \"a.b\"}], \"id\": 1e2}"));
        assertThat(Ee2ReplyReader.read(numberId, 500, bytes(error + "100.0}"))).isInstanceOf(Ee2Reply.Refused.class);
        assertThat(Ee2ReplyReader.read(numberId, 500, bytes(error + "100}"))).isInstanceOf(Ee2Reply.Inconclusive.class);

        assertThat(Ee2ReplyReader.read(runJob, 500, bytes(error + "\"7\"}")))
                .isEqualTo(new Ee2Reply.Inconclusive("an error object for another id"));
        assertThat(Ee2ReplyReader.read(runJob, 500, bytes("{\"error\": {\"message\": \"m\"}, \"id\": \"42\"}")))
                .isEqualTo(new Ee2Reply.Inconclusive("an error object not shaped like EE2's"));
        assertThat(Ee2ReplyReader.read(runJob, 500, bytes("<html>Internal Server Error</html>")))
                .isInstanceOf(Ee2Reply.Inconclusive.class);
        assertThat(Ee2ReplyReader.read(runJob, 502, bytes(error + "\"42\"}"))).isEqualTo(new Ee2Reply.Inconclusive("HTTP 502"));
        assertThat(Ee2ReplyReader.read(runJob, 200, new byte[0]))
                .isEqualTo(new Ee2Reply.Inconclusive("HTTP 200 with an empty body"));
        assertThat(Ee2ReplyReader.read(runJob, 200, bytes("{\"version\": \"1.1\", \"result\": [\"j1\"], \"id\": \"41\"}")))
                .isEqualTo(new Ee2Reply.Inconclusive("a reply for another id"));
        assertThat(Ee2ReplyReader.read(runJob, 200, bytes("{\"version\": \"1.1\", \"result\": [\"j1\"], \"id\": \"42\"}")))
                .isEqualTo(new Ee2Reply.JobsCreated(null, List.of("j1")));
    }

    @Test
    void anErrorMemberOrGarbageIn200IsNeitherSuccessNorRefusal() {
        SniffResult.Call checkJob = sniffed("check_job", "{\"job_id\": \"j\"}");
        assertThat(Ee2ReplyReader.read(checkJob, 200, bytes("{\"error\": {\"code\": -32000}, \"id\": \"42\"}")))
                .isEqualTo(new Ee2Reply.Inconclusive("HTTP 200 with an error object"));
        assertThat(Ee2ReplyReader.read(checkJob, 200, bytes("<html>Internal Server Error</html>")))
                .isInstanceOf(Ee2Reply.Inconclusive.class);
        assertThat(Ee2ReplyReader.read(checkJob, 200, bytes("{\"version\": \"1.1\", \"id\": \"42\"}")))
                .isEqualTo(new Ee2Reply.Inconclusive("no result"));
    }

    @Test
    void skipsJobInputsOfAnyShapeAndLeavesTheBufferAlone() {
        SniffResult.Call checkJobs = sniffed("check_jobs", "{\"job_ids\": [\"a\", \"b\"], \"return_list\": 0}");
        String reply = "{\"version\": \"1.1\", \"result\": [{\"a\": {\"job_input\": {\"params\": [{\"x\": [NaN, 1e999, {\"status\": \"completed\"}]}]}, "
                + "\"status\": \"running\", \"user\": \"bob\"}, \"b\": {\"job_id\": \"b\", \"status\": \"error\"}}], \"id\": \"42\"}";
        ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes(reply));

        assertThat(Ee2ReplyReader.read(checkJobs, 200, direct)).isEqualTo(states(
                new JobState("a", "running", "bob", false), new JobState("b", "error", null, true)));
        assertThat(direct.readerIndex()).isZero();
        direct.release();
    }

    private static Ee2Reply.JobStates states(JobState... states) {
        return new Ee2Reply.JobStates(List.of(states));
    }

    private static String created(Ee2Reply reply) {
        return ((Ee2Reply.JobsCreated) reply).jobIds().get(0);
    }

    private static Ee2Reply call(String method, String params) throws Exception {
        return call(method, params, "tok-alice");
    }

    /** Posts the call to the simulator and reads its reply for the call the sniffer saw. */
    private static Ee2Reply call(String method, String params, String token) throws Exception {
        String body = body(method, params);
        HttpRequest.Builder request = HttpRequest.newBuilder(sim.url())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", token);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        ByteBuf reply = Unpooled.wrappedBuffer(response.body());
        return Ee2ReplyReader.read(sniffed(method, params), response.statusCode(), reply);
    }

    private static SniffResult.Call sniffed(String method, String params) {
        return (SniffResult.Call) JsonRpcSniffer.sniff(bytes(body(method, params)));
    }

    private static String body(String method, String params) {
        return "{\"method\": \"execution_engine2." + method + "\", \"params\": [" + params
                + "], \"version\": \"1.1\", \"id\": \"42\"}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
