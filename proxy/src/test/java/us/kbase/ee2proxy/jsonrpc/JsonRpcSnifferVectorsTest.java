package us.kbase.ee2proxy.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * The sniffer against Python 3.11 itself: vectors.jsonl holds bodies with what json.loads and
 * EE2's handler make of them, written by make_vectors.py beside it.
 */
class JsonRpcSnifferVectorsTest {

    private static final String ANY = "<any non-null>";
    private static final JsonMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (var in = JsonRpcSnifferVectorsTest.class.getResourceAsStream("/jsonrpc/vectors.jsonl");
                var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode v = JSON.readTree(line);
                out.add(Arguments.of(v.get("name").asText(), v));
            }
        }
        assertThat(out).hasSizeGreaterThan(500);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void agreesWithPython(String name, JsonNode vector) throws IOException {
        byte[] body = HexFormat.of().parseHex(vector.get("hex").asText());
        // Somewhere inside a larger array, as a pooled buffer would hold it.
        byte[] padded = new byte[body.length + 7];
        System.arraycopy(body, 0, padded, 3, body.length);
        padded[body.length + 3] = '"';
        SniffResult result = JsonRpcSniffer.sniff(padded, 3, body.length);

        switch (vector.get("kind").asText()) {
            case "parse_error" -> assertThat(result)
                    .isEqualTo(new SniffResult.ParseError(vector.get("message").asText()));
            case "not_a_call" -> assertThat(result).isEqualTo(new SniffResult.NotACall(
                    SniffResult.Reason.valueOf(vector.get("reason").asText()), text(vector, "method")));
            case "call" -> assertCall(vector, result);
            default -> throw new AssertionError(vector);
        }
    }

    private static void assertCall(JsonNode v, SniffResult result) throws IOException {
        assertThat(result).isInstanceOf(SniffResult.Call.class);
        SniffResult.Call call = (SniffResult.Call) result;
        assertThat(call.methodName()).isEqualTo(v.get("method").asText());
        assertThat(call.method()).isEqualTo(Ee2Method.ofJsonRpcName(v.get("method").asText()));
        assertThat(call.envelope())
                .isEqualTo(new RpcEnvelope(text(v, "id"), text(v, "version"), text(v, "jsonrpc")));
        if (v.has("creation")) {
            JsonNode expected = v.get("creation");
            if (expected.isNull()) {
                assertThat(call.creation()).isNull();
                assertThat(call.unreadableCreation()).isTrue();
            } else {
                assertThat(call.creation()).isNotNull();
                assertCreation(call.creation(), expected);
            }
        } else {
            assertThat(call.creation()).isNull();
        }
        List<String> ids = new ArrayList<>();
        if (v.has("job_ids")) {
            v.get("job_ids").forEach(id -> ids.add(id.asText()));
        }
        assertThat(call.jobIds()).containsExactlyElementsOf(ids);
        assertThat(call.status()).isEqualTo(text(v, "status"));
    }

    private static void assertCreation(JobCreation actual, JsonNode expected) {
        switch (expected.get("type").asText()) {
            case "run_job" -> {
                assertThat(actual).isInstanceOf(JobCreation.RunJob.class);
                JobCreation.RunJob run = (JobCreation.RunJob) actual;
                assertThat(run.concierge()).isEqualTo(expected.get("concierge").asBoolean());
                assertRunJobParams(run.params(), expected.get("params"));
            }
            case "batch" -> {
                assertThat(actual).isInstanceOf(JobCreation.RunJobBatch.class);
                JobCreation.RunJobBatch batch = (JobCreation.RunJobBatch) actual;
                assertThat(batch.asAdmin()).isEqualTo(expected.get("as_admin").asBoolean());
                assertThat(batch.jobs()).hasSize(expected.get("jobs").size());
                for (int i = 0; i < batch.jobs().size(); i++) {
                    assertRunJobParams(batch.jobs().get(i), expected.get("jobs").get(i));
                }
            }
            case "retry" -> {
                List<String> ids = new ArrayList<>();
                expected.get("job_ids").forEach(id -> ids.add(id.asText()));
                assertThat(actual).isEqualTo(new JobCreation.RetryJobs(
                        ids, expected.get("as_admin").asBoolean(), expected.get("single").asBoolean()));
            }
            default -> throw new AssertionError(expected);
        }
    }

    private static void assertRunJobParams(RunJobParams actual, JsonNode expected) {
        JsonNode req = expected.get("requirements");
        JobRequirements requirements = req.get("present").asBoolean()
                ? new JobRequirements(true, req.get("ignore").asBoolean(), text(req, "bill_to"))
                : JobRequirements.NONE;
        String parent = text(expected, "parent");
        if (ANY.equals(parent)) {
            assertThat(actual.parentJobId()).isNotNull();
            parent = actual.parentJobId();
        }
        assertThat(actual).isEqualTo(new RunJobParams(
                text(expected, "method"), text(expected, "app_id"), parent,
                expected.get("as_admin").asBoolean(), requirements, expected.get("remote_url").asBoolean()));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
