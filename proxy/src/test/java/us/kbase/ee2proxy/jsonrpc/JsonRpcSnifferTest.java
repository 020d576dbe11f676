package us.kbase.ee2proxy.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/** Readable examples; JsonRpcSnifferVectorsTest holds the hundreds of Python-checked ones. */
class JsonRpcSnifferTest {

    private static final String KBASE_CLIENT_RUN_JOB = """
            {"method": "execution_engine2.run_job", "params": [{"method": "kb_Bowtie2.align_reads_to_assembly_app", \
            "app_id": "kb_Bowtie2/align_reads_to_assembly_app", "params": [{}], "wsid": 42}], "version": "1.1", \
            "id": "7364829105"}""";

    @Test
    void readsTheRunJobAKBaseClientSends() {
        SniffResult result = JsonRpcSniffer.sniff(KBASE_CLIENT_RUN_JOB.getBytes(StandardCharsets.UTF_8));

        assertThat(result).isEqualTo(new SniffResult.Call(
                Ee2Method.RUN_JOB,
                "execution_engine2.run_job",
                new RpcEnvelope("\"7364829105\"", "\"1.1\"", null),
                new JobCreation.RunJob(new RunJobParams(
                        "kb_Bowtie2.align_reads_to_assembly_app", "kb_Bowtie2/align_reads_to_assembly_app",
                        null, false, JobRequirements.NONE), false),
                List.of(),
                null,
                null));
    }

    @Test
    void leavesDirectAndHeapBuffersAsTheyWere() {
        byte[] bytes = KBASE_CLIENT_RUN_JOB.getBytes(StandardCharsets.UTF_8);
        for (ByteBuf buf : List.of(Unpooled.directBuffer(), Unpooled.buffer())) {
            buf.writeBytes("xyz".getBytes(StandardCharsets.US_ASCII)).writeBytes(bytes).readerIndex(3);

            SniffResult result = JsonRpcSniffer.sniff(buf);

            assertThat(((SniffResult.Call) result).method()).isEqualTo(Ee2Method.RUN_JOB);
            assertThat(buf.readerIndex()).isEqualTo(3);
            assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(KBASE_CLIENT_RUN_JOB);
            buf.release();
        }
    }

    @Test
    void readsLargeDirectBuffersAsItReadsArrays() {
        for (int size : new int[] {20_000, 300_000, 1_500_000, 40_000}) {
            String filler = "\"" + "x".repeat(size) + "\"";
            byte[] body = ("{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": \"a.b\", \"params\": ["
                    + filler + "]}], \"id\": " + size + "}").getBytes(StandardCharsets.UTF_8);
            ByteBuf direct = Unpooled.directBuffer(body.length).writeBytes(body);

            assertThat(JsonRpcSniffer.sniff(direct)).isEqualTo(JsonRpcSniffer.sniff(body))
                    .isInstanceOfSatisfying(SniffResult.Call.class,
                            call -> assertThat(call.envelope().idJson()).isEqualTo(String.valueOf(size)));
            direct.release();
        }
    }

    @Test
    void theLastMethodKeyWinsEvenAfterAPassThroughOne() {
        SniffResult result = sniff("""
                {"method": "execution_engine2.check_job", "params": [{"method": "m.f"}], "id": 1,
                 "method": "execution_engine2.run_job"}""");

        assertThat(result).isInstanceOfSatisfying(SniffResult.Call.class, call -> {
            assertThat(call.method()).isEqualTo(Ee2Method.RUN_JOB);
            assertThat(call.creation()).isEqualTo(new JobCreation.RunJob(RunJobParams.of("m.f"), false));
        });
    }

    @Test
    void answersWhatPythonSaysOfABrokenBody() {
        assertThat(sniff("")).isEqualTo(new SniffResult.ParseError("Expecting value: line 1 column 1 (char 0)"));
        assertThat(sniff("{\"method\": \"execution_engine2.ver\"} x"))
                .isEqualTo(new SniffResult.ParseError("Extra data: line 1 column 37 (char 36)"));
        assertThat(sniff("{'method': 1}")).isEqualTo(new SniffResult.ParseError(
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"));
        assertThat(sniff("{\"method\": \"execution_engine2.ver"))
                .isEqualTo(new SniffResult.ParseError("Unterminated string starting at: line 1 column 12 (char 11)"));
    }

    @Test
    void acceptsWhatPythonAcceptsAndJacksonByDefaultWouldNot() {
        String body = "\uFEFF{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": \"j\", "
                + "\"x\": [NaN, -Infinity, 1e999, " + "9".repeat(4300) + "]}], \"id\": 1}";

        SniffResult result = JsonRpcSniffer.sniff(body.getBytes(StandardCharsets.UTF_8));

        assertThat(result).isInstanceOfSatisfying(SniffResult.Call.class,
                call -> assertThat(call.jobIds()).containsExactly("j"));
    }

    @Test
    void readsTheStatusAJobRunnerReports() {
        SniffResult result = sniff("""
                {"method": "execution_engine2.update_job_status", "params": [{"job_id": "65a1", "status": "completed"}],
                 "jsonrpc": "2.0", "id": 3}""");

        assertThat(result).isInstanceOfSatisfying(SniffResult.Call.class, call -> {
            assertThat(call.jobIds()).containsExactly("65a1");
            assertThat(call.jobId()).isEqualTo("65a1");
            assertThat(call.status()).isEqualTo("completed");
            assertThat(call.envelope().echoVersionMember()).isEqualTo("\"jsonrpc\": \"2.0\"");
            assertThat(call.envelope().traceInData()).isTrue();
        });
    }

    @Test
    void theJobALifecycleCallActsOnIsItsJobIdAlone() {
        SniffResult both = sniff("""
                {"method": "execution_engine2.cancel_job", "params": [{"job_ids": ["parent"], "job_id": "own"}], "id": 1}""");
        SniffResult idsOnly = sniff("""
                {"method": "execution_engine2.cancel_job", "params": [{"job_ids": ["parent"]}], "id": 1}""");
        SniffResult bare = sniff("""
                {"method": "execution_engine2.finish_job", "params": ["parent"], "id": 1}""");

        assertThat(both).isInstanceOfSatisfying(SniffResult.Call.class, call -> {
            assertThat(call.jobIds()).containsExactly("own", "parent");
            assertThat(call.jobId()).isEqualTo("own");
        });
        assertThat(idsOnly).isInstanceOfSatisfying(SniffResult.Call.class, call -> assertThat(call.jobId()).isNull());
        assertThat(bare).isInstanceOfSatisfying(SniffResult.Call.class, call -> assertThat(call.jobId()).isNull());
    }

    @Test
    void saysWhyABodyIsNotACall() {
        assertThat(sniff("[" + KBASE_CLIENT_RUN_JOB + "]"))
                .isEqualTo(new SniffResult.NotACall(SniffResult.Reason.NOT_AN_OBJECT, null));
        assertThat(sniff("{\"method\": \"execution_engine2.run_job\", \"params\": [{}]}"))
                .isEqualTo(new SniffResult.NotACall(SniffResult.Reason.NO_ID, "execution_engine2.run_job"));
    }

    private static SniffResult sniff(String body) {
        return JsonRpcSniffer.sniff(body.getBytes(StandardCharsets.UTF_8));
    }
}
