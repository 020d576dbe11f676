package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import us.kbase.ee2proxy.sim.scheduler.JobRecord;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.scheduler.NewJob;

/** EE2's JobState dict (check_job and friends), fields present only once they have a value. */
final class JobStates {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JobStates() {}

    static ObjectNode of(JobRecord r, Set<String> exclude) {
        JobSnapshot s = r.state();
        NewJob spec = r.spec();
        ObjectNode o = NODES.objectNode();
        o.put("job_id", s.jobId());
        o.put("user", s.user());
        o.put("authstrat", "kbaseworkspace");
        if (spec.wsid() != null) {
            o.put("wsid", spec.wsid());
        }
        o.put("status", s.status().wire());
        o.put("updated", s.updated());
        if (s.queued() > 0) {
            o.put("queued", s.queued());
        }
        if (s.running() > 0) {
            o.put("running", s.running());
        }
        if (s.finished() > 0) {
            o.put("finished", s.finished());
        }
        o.put("created", s.created());
        o.set("job_input", jobInput(spec));
        if (r.jobOutput() != null) {
            o.set("job_output", r.jobOutput());
        }
        if (r.errorMessage() != null) {
            o.put("errormsg", r.errorMessage());
            ObjectNode err = o.putObject("error");
            err.put("code", -32000).put("name", "Server error").put("message", r.errorMessage());
            err.putNull("error");
        }
        if (r.errorCode() != null) {
            o.put("error_code", r.errorCode());
        }
        if (r.terminatedCode() != null) {
            o.put("terminated_code", r.terminatedCode());
        }
        o.set("child_jobs", NODES.arrayNode().addAll(r.childJobs().stream().map(NODES::textNode).toList()));
        o.put("batch_job", s.batchContainer());
        if (s.batchId() != null) {
            o.put("batch_id", s.batchId());
        }
        o.put("retry_count", r.retryIds().size());
        o.set("retry_ids", NODES.arrayNode().addAll(r.retryIds().stream().map(NODES::textNode).toList()));
        if (s.retryOf() != null) {
            o.put("retry_parent", s.retryOf());
        }
        if (!s.batchContainer()) {
            o.put("scheduler_type", "condor");
            o.put("scheduler_id", Long.toString(Math.abs((long) s.jobId().hashCode())));
        }
        exclude.forEach(o::remove);
        return o;
    }

    static ObjectNode jobInput(NewJob spec) {
        ObjectNode in = NODES.objectNode();
        if (spec.wsid() != null) {
            in.put("wsid", spec.wsid());
        }
        in.put("method", spec.method());
        JsonNode p = spec.params();
        if (spec.batchContainer()) {
            // EE2's batch container: method, service_ver and app_id are all "batch".
            in.put("service_ver", "batch");
            in.put("app_id", "batch");
            in.putArray("source_ws_objects");
            in.putObject("narrative_cell_info");
            return in;
        }
        in.set("params", p != null && p.has("params") ? p.get("params") : NODES.arrayNode());
        in.put("service_ver", p != null && p.has("service_ver") ? p.get("service_ver").asText() : "release");
        if (spec.appId() != null) {
            in.put("app_id", spec.appId());
        }
        in.set("source_ws_objects", p != null && p.has("source_ws_objects")
                ? p.get("source_ws_objects") : NODES.arrayNode());
        if (spec.parentJobId() != null) {
            in.put("parent_job_id", spec.parentJobId());
        }
        ObjectNode req = in.putObject("requirements");
        req.put("clientgroup", "njs").put("cpu", 4).put("memory", 2000).put("disk", 100);
        in.set("narrative_cell_info", p != null && p.has("meta") ? p.get("meta") : NODES.objectNode());
        return in;
    }

    static Set<String> excluded(JsonNode params) {
        JsonNode ex = params == null ? null : params.get("exclude_fields");
        if (ex == null || !ex.isArray()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        ex.forEach(e -> out.add(e.asText()));
        return out;
    }
}
