package us.kbase.ee2proxy.sim.ee2;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.sim.SimulatorExtension.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import us.kbase.ee2proxy.sim.RawHttp;
import us.kbase.ee2proxy.sim.SimulatorExtension;

/** Every one of EE2's 28 methods: its token rule, a success in the right shape, and an error in EE2's. */
class Ee2MethodsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String P = "execution_engine2.";

    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b.defaultSeconds(3600).slots(10)
            .token("alice", "alice").token("bob", "bob").token("admin", "ops", "EE2_ADMIN")
            .token("reader", "viewer", "EE2_ADMIN_RO").token("concierge", "kbaseconcierge"));

    static final Set<String> OPEN = Set.of("ver", "status", "get_client_groups");
    static final List<String> ALL = List.of("run_job", "run_job_batch", "run_job_concierge", "retry_job", "retry_jobs",
            "check_job", "check_jobs", "check_job_batch", "check_workspace_jobs", "check_job_canceled",
            "get_job_status", "check_jobs_date_range_for_user", "check_jobs_date_range_for_all", "get_job_logs",
            "get_job_params", "start_job", "update_job_status", "add_job_logs", "finish_job", "cancel_job",
            "abandon_children", "is_admin", "get_admin_permission", "handle_held_job", "ver", "status",
            "list_config", "get_client_groups");

    @BeforeEach
    void fresh() {
        sim.get().reset();
    }

    static Stream<String> methods() {
        return ALL.stream();
    }

    @Test
    void thereAreTwentyEight() {
        assertThat(ALL).hasSize(28).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @MethodSource("methods")
    void tokenRule(String method) throws Exception {
        RawHttp.Response r = sim.call(null, P + method, obj("job_id", "0123456789abcdef01234567"));
        JsonNode body = r.body().length == 0 ? null : JSON.readTree(r.body());
        if (OPEN.contains(method) || method.equals("list_config")) {
            // open methods get past the token check (some then refuse the arguments)
            assertThat(r.text()).doesNotContain("Authentication required");
        } else {
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.headers()).containsEntry("content-type", "application/json");
            assertThat(body.get("error").get("message").asText())
                    .isEqualTo("Authentication required for execution_engine2 but no authentication header was passed");
        }
    }

    private String run(String token) throws Exception {
        return sim.result(token, P + "run_job", obj("method", "kb_A.x", "app_id", "kb_A/x", "wsid", 9,
                "params", List.of(Map.of("a", 1)))).asText();
    }

    @Test
    void creatingJobs() throws Exception {
        assertThat(run("alice")).matches("[0-9a-f]{24}");
        JsonNode batch = sim.result("alice", P + "run_job_batch", List.of(obj("method", "kb_A.x")), obj("wsid", 9));
        assertThat(batch.get("batch_id").asText()).matches("[0-9a-f]{24}");
        assertThat(batch.get("child_job_ids")).hasSize(1);
        assertThat(sim.result("concierge", P + "run_job_concierge", obj("method", "kb_A.x"), obj()).asText())
                .matches("[0-9a-f]{24}");
        String failed = run("alice");
        sim.result("alice", P + "cancel_job", obj("job_id", failed));
        assertThat(sim.result("alice", P + "retry_job", obj("job_id", failed)).fieldNames())
                .toIterable().containsExactly("job_id", "retry_id");
        JsonNode many = sim.result("alice", P + "retry_jobs", obj("job_ids", List.of(failed, "nope")));
        assertThat(many.get(0).has("retry_id")).isTrue();
        assertThat(many.get(1).get("error").asText()).isEqualTo("Cannot find job with ids: ['nope']");

        assertThat(sim.error("alice", P + "run_job", obj("method", "noDot")).get("message").asText())
                .as("the exception's message as it is, no repr quotes")
                .isEqualTo("Unrecognized method: 'noDot'. Please input module_name.function_name");
        assertThat(sim.error("alice", P + "run_job_batch", List.of(obj("method", "kb_A.x", "parent_job_id", "x")),
                obj()).get("message").asText()).contains("batch jobs may not specify a parent job ID");
        assertThat(sim.error("alice", P + "run_job", "not a dict").get("message").asText())
                .isEqualTo("'str' object has no attribute 'get'");
    }

    @Test
    void readingJobs() throws Exception {
        String id = run("alice");
        JsonNode state = sim.result("alice", P + "check_job", obj("job_id", id));
        assertThat(state.get("job_id").asText()).isEqualTo(id);
        assertThat(state.get("user").asText()).isEqualTo("alice");
        assertThat(state.get("status").asText()).isEqualTo("running");
        assertThat(state.get("job_input").get("app_id").asText()).isEqualTo("kb_A/x");
        assertThat(state.get("created").asLong()).isPositive();
        assertThat(sim.result("alice", P + "check_job", obj("job_id", id, "exclude_fields", List.of("job_input")))
                .has("job_input")).isFalse();
        assertThat(sim.result("alice", P + "check_jobs", obj("job_ids", List.of(id))).get("job_states")).hasSize(1);
        assertThat(sim.result("alice", P + "check_jobs", obj("job_ids", List.of(id), "return_list", 0)).has(id)).isTrue();
        assertThat(sim.result("alice", P + "check_workspace_jobs", obj("workspace_id", 9)).get("job_states")).hasSize(1);
        assertThat(sim.result("alice", P + "check_job_canceled", obj("job_id", id)).toString())
                .isEqualTo("{\"job_id\":\"" + id + "\",\"canceled\":false,\"finished\":false}");
        assertThat(sim.result("alice", P + "get_job_status", obj("job_id", id)).get("status").asText()).isEqualTo("running");
        JsonNode range = sim.result("alice", P + "check_jobs_date_range_for_user",
                obj("start_time", 0, "end_time", Long.MAX_VALUE / 2));
        assertThat(range.get("count").asInt()).isEqualTo(1);
        assertThat(sim.result("reader", P + "check_jobs_date_range_for_all",
                obj("start_time", 0, "end_time", Long.MAX_VALUE / 2, "as_admin", 1)).get("jobs")).hasSize(1);
        assertThat(sim.result("alice", P + "get_job_params", obj("job_id", id)).get("method").asText()).isEqualTo("kb_A.x");
        assertThat(sim.result("alice", P + "get_job_logs", obj("job_id", id)).get("lines")).isEmpty();
        assertThat(sim.error("alice", P + "check_job_batch", obj("job_id", id)).get("message").asText())
                .contains("is not a batch job parent");

        assertThat(sim.error("bob", P + "check_job", obj("job_id", id)).get("message").asText())
                .isEqualTo("User bob does not have permission to read job " + id);
        assertThat(sim.result("reader", P + "check_job", obj("job_id", id, "as_admin", 1)).get("user").asText())
                .isEqualTo("alice");
        assertThat(sim.error("alice", P + "check_jobs_date_range_for_all", obj("start_time", 0, "end_time", 1))
                .get("message").asText()).contains("not an administrator");
        JsonNode notFound = sim.error("alice", P + "check_job", obj("job_id", "0123456789abcdef01234567"));
        assertThat(notFound.get("code").asInt()).isEqualTo(-32000);
        assertThat(notFound.get("name").asText()).isEqualTo("Server error");
        assertThat(notFound.get("message").asText()).as("a plain string, as EE2 sends it")
                .isEqualTo("Cannot find job with ids: ['0123456789abcdef01234567']");
        assertThat(notFound.get("error").asText()).startsWith("Traceback (most recent call last):")
                .contains("RecordNotFoundException: Cannot find job with ids");
    }

    @Test
    void jobRunnerLifecycle() throws Exception {
        String id = run("alice");
        assertThat(sim.error("alice", P + "start_job", obj("job_id", id)).get("message").asText())
                .isEqualTo("Unexpected job status: running");
        JsonNode logs = sim.result("alice", P + "add_job_logs", obj("job_id", id),
                List.of(Map.of("line", "hello", "is_error", 0)));
        assertThat(logs.get("line_number").asInt()).isEqualTo(1);
        assertThat(sim.result("alice", P + "get_job_logs", obj("job_id", id)).get("lines").get(0).get("line").asText())
                .isEqualTo("hello");
        assertThat(sim.result("alice", P + "update_job_status", obj("job_id", id, "status", "running")).asText())
                .isEqualTo(id);
        assertThat(sim.call("alice", P + "finish_job", obj("job_id", id, "job_output", Map.of("result", List.of())))
                .text()).isEqualTo("{\"version\": \"1.1\", \"result\": null, \"id\": \"42\"}");
        assertThat(sim.result("alice", P + "check_job_canceled", obj("job_id", id)).get("finished").asBoolean()).isTrue();
        assertThat(sim.error("alice", P + "finish_job", obj("job_id", id)).get("message").asText())
                .contains("already completed");
        String other = run("alice");
        assertThat(sim.error("bob", P + "cancel_job", obj("job_id", other)).get("message").asText())
                .contains("does not have permission to modify");
        assertThat(sim.call("alice", P + "cancel_job", obj("job_id", other, "terminated_code", 1)).status()).isEqualTo(200);
        assertThat(sim.result("alice", P + "check_job_canceled", obj("job_id", other)).get("canceled").asBoolean()).isTrue();
        String failing = run("alice");
        sim.result("alice", P + "finish_job", obj("job_id", failing, "error_message", "boom", "error_code", 2));
        JsonNode failed = sim.result("alice", P + "check_job", obj("job_id", failing));
        assertThat(failed.get("status").asText()).isEqualTo("error");
        assertThat(failed.get("errormsg").asText()).isEqualTo("boom");
        assertThat(failed.get("error_code").asInt()).isEqualTo(2);

        JsonNode batch = sim.result("alice", P + "run_job_batch", List.of(obj("method", "kb_A.x"), obj("method", "kb_A.x")),
                obj());
        String child = batch.get("child_job_ids").get(0).asText();
        assertThat(sim.result("alice", P + "abandon_children", obj("batch_id", batch.get("batch_id").asText(),
                "child_job_ids", List.of(child))).get("child_jobs")).hasSize(1);
        assertThat(sim.error("alice", P + "handle_held_job", "123").get("message").asText()).contains("not an administrator");
        assertThat(sim.error("admin", P + "handle_held_job", "123").get("message").asText()).contains("Cannot find job");
    }

    @Test
    void serviceMethods() throws Exception {
        assertThat(sim.result(null, P + "ver").asText()).isEqualTo("0.0.15");
        assertThat(sim.result(null, P + "status").get("service").asText()).isEqualTo("KBase Execution Engine");
        assertThat(sim.result(null, P + "list_config").get("external-url").asText()).isEqualTo(sim.url().toString());
        assertThat(sim.result("alice", P + "list_config").has("auth-service-url")).isTrue();
        assertThat(sim.result(null, P + "get_client_groups")).isNotEmpty();
        assertThat(sim.result("alice", P + "is_admin").asBoolean()).isFalse();
        assertThat(sim.result("admin", P + "is_admin").asBoolean()).isTrue();
        assertThat(sim.result("admin", P + "get_admin_permission").get("permission").asText()).isEqualTo("w");
        assertThat(sim.result("reader", P + "get_admin_permission").get("permission").asText()).isEqualTo("r");
        assertThat(sim.result("alice", P + "get_admin_permission").get("permission").asText()).isEqualTo("n");
        assertThat(sim.error(null, P + "ver", 1).get("name").asText()).isEqualTo("too many arguments");
        assertThat(sim.error("alice", P + "check_job").get("name").asText()).isEqualTo("not enough arguments");
    }
}
