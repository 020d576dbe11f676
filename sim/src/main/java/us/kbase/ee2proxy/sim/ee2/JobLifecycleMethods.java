package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import us.kbase.ee2proxy.sim.rpc.Auth;
import us.kbase.ee2proxy.sim.rpc.Caller;
import us.kbase.ee2proxy.sim.rpc.MethodError;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;
import us.kbase.ee2proxy.sim.scheduler.Job;
import us.kbase.ee2proxy.sim.scheduler.JobRecord;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/** What job runners and users do to a job: start, log, update, finish, cancel, and the admin's tools. */
final class JobLifecycleMethods {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Scheduler scheduler;
    private final Access access;

    JobLifecycleMethods(Scheduler scheduler, Access access) {
        this.scheduler = scheduler;
        this.access = access;
    }

    List<MethodSpec> specs() {
        String p = "execution_engine2.";
        return List.of(
                MethodSpec.of(p + "start_job", Auth.REQUIRED, (c, a) -> startJob(c, a.get(0)), "params"),
                MethodSpec.of(p + "update_job_status", Auth.REQUIRED, (c, a) -> updateStatus(c, a.get(0)), "params"),
                MethodSpec.of(p + "add_job_logs", Auth.REQUIRED, (c, a) -> addLogs(c, a.get(0), a.get(1)),
                        "params", "lines").withTypes(JsonNodeType.OBJECT, JsonNodeType.ARRAY),
                MethodSpec.of(p + "finish_job", Auth.REQUIRED, (c, a) -> finishJob(c, a.get(0)), "params"),
                MethodSpec.of(p + "cancel_job", Auth.REQUIRED, (c, a) -> cancelJob(c, a.get(0)), "params"),
                MethodSpec.of(p + "abandon_children", Auth.REQUIRED, (c, a) -> abandonChildren(c, a.get(0)), "params"),
                MethodSpec.of(p + "handle_held_job", Auth.REQUIRED, (c, a) -> handleHeld(c, a.get(0)), "cluster_id"));
    }

    private JsonNode startJob(Caller caller, JsonNode params) throws MethodError {
        Job job = access.write(caller, params);
        JobStatus st = job.status();
        if (st != JobStatus.QUEUED && st != JobStatus.ESTIMATING && st != JobStatus.CREATED) {
            throw MethodError.statusTransition("Unexpected job status: " + st.wire());
        }
        scheduler.markRunning(job);
        return null;
    }

    private JsonNode updateStatus(Caller caller, JsonNode params) throws MethodError {
        Job job = access.write(caller, params);
        String s = Args.text(params, "status");
        JobStatus target = JobStatus.fromWire(s);
        if (target == null) {
            throw MethodError.incorrectParams("Invalid status: " + s);
        }
        if (job.status().isTerminal()) {
            throw MethodError.statusTransition("Cannot change status of a finished job (" + job.status().wire() + ")");
        }
        if (target.isTerminal()) {
            scheduler.finish(job, target, target == JobStatus.ERROR ? "Job status set to error" : null, null, null);
        } else if (target == JobStatus.RUNNING) {
            scheduler.markRunning(job);
        } else {
            scheduler.setStatus(job, target);
        }
        return NODES.textNode(job.id());
    }

    private JsonNode addLogs(Caller caller, JsonNode params, JsonNode lines) throws MethodError {
        Job job = access.write(caller, params);
        if (lines == null || !lines.isArray()) {
            throw MethodError.incorrectParams("lines must be a list");
        }
        List<String> text = new ArrayList<>();
        lines.forEach(l -> text.add(l.isObject() ? l.path("line").asText() : l.asText()));
        scheduler.addLogs(job, text);
        ObjectNode out = NODES.objectNode();
        out.put("success", true);
        out.put("line_number", scheduler.logs(job).size());
        return out;
    }

    private JsonNode finishJob(Caller caller, JsonNode params) throws MethodError {
        Job job = access.write(caller, params);
        JobStatus st = job.status();
        if (st.isTerminal()) {
            throw MethodError.statusTransition("Cannot finish job " + job.id() + ": it is already " + st.wire());
        }
        String error = PyTruth.of(params.get("error_message")) ? params.get("error_message").asText() : null;
        if (error != null) {
            Long code = Args.number(params, "error_code");
            scheduler.finish(job, JobStatus.ERROR, error, code == null ? 1 : code.intValue(), null);
        } else {
            JsonNode output = params.get("job_output");
            scheduler.finish(job, JobStatus.COMPLETED, null, null, output == null || output.isNull() ? null : output);
        }
        return null;
    }

    /** Users cancel their own jobs; a batch container's cancel reaches every child. */
    private JsonNode cancelJob(Caller caller, JsonNode params) throws MethodError {
        Job job = access.write(caller, params);
        Long code = Args.number(params, "terminated_code");
        int terminatedCode = code == null ? 0 : code.intValue();
        JobRecord r = scheduler.record(job);
        if (r.state().batchContainer()) {
            for (String id : r.childJobs()) {
                Job child = scheduler.find(id);
                if (child != null) {
                    scheduler.finish(child, JobStatus.TERMINATED, null, terminatedCode, null);
                }
            }
        }
        scheduler.finish(job, JobStatus.TERMINATED, null, terminatedCode, null);
        return null;
    }

    private JsonNode abandonChildren(Caller caller, JsonNode params) throws MethodError {
        JsonNode p = Args.dict(params);
        String batchId = Args.text(p, "batch_id") != null ? Args.text(p, "batch_id") : Args.text(p, "parent_job_id");
        if (batchId == null) {
            throw MethodError.incorrectParams("batch_id is required");
        }
        Job container = access.check(caller, batchId, Args.asAdmin(p), true);
        JsonNode drop = p.path("child_job_ids");
        List<String> remaining = new ArrayList<>(scheduler.record(container).childJobs());
        drop.forEach(id -> remaining.remove(id.asText()));
        ObjectNode out = NODES.objectNode();
        out.put("parent_job_id", container.id());
        ArrayNode arr = out.putArray("child_jobs");
        remaining.forEach(arr::add);
        return out;
    }

    private JsonNode handleHeld(Caller caller, JsonNode clusterId) throws MethodError {
        Access.requireAdmin(caller, true);
        throw MethodError.notFound(clusterId == null ? "None" : clusterId.asText());
    }
}
