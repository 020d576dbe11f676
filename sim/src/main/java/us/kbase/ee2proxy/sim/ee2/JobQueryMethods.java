package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import us.kbase.ee2proxy.sim.rpc.Auth;
import us.kbase.ee2proxy.sim.rpc.Caller;
import us.kbase.ee2proxy.sim.rpc.MethodError;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;
import us.kbase.ee2proxy.sim.scheduler.Job;
import us.kbase.ee2proxy.sim.scheduler.JobRecord;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/** The ten read-only methods: job states, logs and params. */
final class JobQueryMethods {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Scheduler scheduler;
    private final Access access;

    JobQueryMethods(Scheduler scheduler, Access access) {
        this.scheduler = scheduler;
        this.access = access;
    }

    List<MethodSpec> specs() {
        String p = "execution_engine2.";
        return List.of(
                MethodSpec.of(p + "check_job", Auth.REQUIRED, (c, a) -> checkJob(c, a.get(0)), "params"),
                MethodSpec.of(p + "check_jobs", Auth.REQUIRED, (c, a) -> checkJobs(c, a.get(0)), "params"),
                MethodSpec.of(p + "check_job_batch", Auth.REQUIRED, (c, a) -> checkJobBatch(c, a.get(0)), "params"),
                MethodSpec.of(p + "check_workspace_jobs", Auth.REQUIRED,
                        (c, a) -> checkWorkspaceJobs(c, a.get(0)), "params"),
                MethodSpec.of(p + "check_job_canceled", Auth.REQUIRED, (c, a) -> checkJobCanceled(c, a.get(0)),
                        "params"),
                MethodSpec.of(p + "get_job_status", Auth.REQUIRED, (c, a) -> jobStatus(c, a.get(0)), "params"),
                MethodSpec.of(p + "check_jobs_date_range_for_user", Auth.REQUIRED,
                        (c, a) -> dateRange(c, a.get(0), false), "params"),
                MethodSpec.of(p + "check_jobs_date_range_for_all", Auth.REQUIRED,
                        (c, a) -> dateRange(c, a.get(0), true), "params"),
                MethodSpec.of(p + "get_job_logs", Auth.REQUIRED, (c, a) -> jobLogs(c, a.get(0)), "params"),
                MethodSpec.of(p + "get_job_params", Auth.REQUIRED, (c, a) -> jobParams(c, a.get(0)), "params"));
    }

    private JsonNode checkJob(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        return JobStates.of(scheduler.record(job), JobStates.excluded(params));
    }

    private JsonNode checkJobs(Caller caller, JsonNode params) throws MethodError {
        JsonNode ids = Args.dict(params).get("job_ids");
        if (ids == null || !ids.isArray()) {
            throw MethodError.incorrectParams("job_ids must be a list");
        }
        List<JobRecord> records = new ArrayList<>();
        for (JsonNode id : ids) {
            records.add(scheduler.record(access.check(caller, id.asText(), Args.asAdmin(params), false)));
        }
        return states(records, params);
    }

    /** {@code return_list} 1 (the default): {"job_states": [...]}; 0: {job_id: state}. */
    private static JsonNode states(List<JobRecord> records, JsonNode params) {
        Set<String> exclude = JobStates.excluded(params);
        JsonNode rl = params.get("return_list");
        boolean asList = rl == null || rl.isNull() || PyTruth.of(rl);
        if (asList) {
            ObjectNode out = NODES.objectNode();
            ArrayNode arr = out.putArray("job_states");
            records.forEach(r -> arr.add(JobStates.of(r, exclude)));
            return out;
        }
        ObjectNode out = NODES.objectNode();
        records.forEach(r -> out.set(r.state().jobId(), JobStates.of(r, exclude)));
        return out;
    }

    private JsonNode checkJobBatch(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        JobRecord container = scheduler.record(job);
        if (!container.state().batchContainer()) {
            throw MethodError.incorrectParams("Job " + job.id() + " is not a batch job parent");
        }
        Set<String> exclude = JobStates.excluded(params);
        ObjectNode out = NODES.objectNode();
        out.set("batch_jobstate", JobStates.of(container, exclude));
        ArrayNode children = out.putArray("child_jobstates");
        for (String id : container.childJobs()) {
            Job child = scheduler.find(id);
            if (child != null) {
                children.add(JobStates.of(scheduler.record(child), exclude));
            }
        }
        return out;
    }

    private JsonNode checkWorkspaceJobs(Caller caller, JsonNode params) throws MethodError {
        Long wsid = Args.number(Args.dict(params), "workspace_id");
        if (wsid == null) {
            throw MethodError.incorrectParams("workspace_id is required");
        }
        boolean admin = Args.asAdmin(params);
        if (admin) {
            Access.requireAdmin(caller, false);
        }
        List<JobRecord> records = new ArrayList<>();
        for (Job j : scheduler.all()) {
            if (wsid.equals(j.spec().wsid()) && (admin || j.user().equals(caller.user()))) {
                records.add(scheduler.record(j));
            }
        }
        records.sort(Comparator.comparingLong(r -> r.state().created()));
        return states(records, params);
    }

    /** The job runner's once-a-second question; kept lock-free (it is most of EE2's traffic). */
    private JsonNode checkJobCanceled(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        JobStatus st = job.status();
        ObjectNode out = NODES.objectNode();
        out.put("job_id", job.id());
        out.put("canceled", st == JobStatus.TERMINATED);
        out.put("finished", st.isTerminal());
        return out;
    }

    private JsonNode jobStatus(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        ObjectNode out = NODES.objectNode();
        out.put("status", job.status().wire());
        return out;
    }

    private JsonNode dateRange(Caller caller, JsonNode params, boolean all) throws MethodError {
        JsonNode p = Args.dict(params);
        Long start = Args.number(p, "start_time");
        Long end = Args.number(p, "end_time");
        if (start == null || end == null) {
            throw MethodError.incorrectParams("start_time and end_time are required (epoch milliseconds)");
        }
        if (end < start) {
            throw MethodError.incorrectParams("The start date cannot be greater than the end date.");
        }
        String user = Args.text(p, "user");
        if (all) {
            Access.requireAdmin(caller, false);
            user = null;
        } else if (user != null && !user.equals(caller.user())) {
            Access.requireAdmin(caller, false);
        } else {
            user = caller.user();
        }
        long limit = Args.number(p, "limit") == null ? 2000 : Args.number(p, "limit");
        long offset = Args.number(p, "offset") == null ? 0 : Args.number(p, "offset");
        boolean ascending = !p.has("ascending") || PyTruth.of(p.get("ascending"));
        String who = user;
        Predicate<Job> match = j -> (who == null || j.user().equals(who));
        List<JobRecord> found = new ArrayList<>();
        for (Job j : scheduler.all()) {
            JobRecord r = scheduler.record(j);
            if (match.test(j) && r.state().updated() >= start && r.state().updated() <= end) {
                found.add(r);
            }
        }
        Comparator<JobRecord> order = Comparator.comparingLong(r -> r.state().created());
        found.sort(ascending ? order : order.reversed());
        ObjectNode out = NODES.objectNode();
        ArrayNode jobs = out.putArray("jobs");
        found.stream().skip(offset).limit(limit).forEach(r -> jobs.add(JobStates.of(r, Set.of())));
        out.put("count", jobs.size());
        out.put("query_count", found.size());
        out.putObject("filter");
        out.put("skip", offset);
        out.putArray("projection");
        out.put("limit", limit);
        out.put("sort_order", ascending ? "+" : "-");
        return out;
    }

    private JsonNode jobLogs(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        List<String> lines = scheduler.logs(job);
        long skip = Args.number(params, "skip_lines") == null ? 0 : Args.number(params, "skip_lines");
        ObjectNode out = NODES.objectNode();
        ArrayNode arr = out.putArray("lines");
        for (int i = (int) Math.min(skip, lines.size()); i < lines.size(); i++) {
            ObjectNode line = arr.addObject();
            line.put("line", lines.get(i)).put("linepos", i).put("is_error", 0).put("ts", scheduler.record(job).state().updated());
        }
        out.put("last_line_number", lines.size());
        out.put("count", arr.size());
        return out;
    }

    private JsonNode jobParams(Caller caller, JsonNode params) throws MethodError {
        Job job = access.read(caller, params);
        JsonNode original = job.spec().params();
        return original == null ? NODES.objectNode() : original;
    }
}
