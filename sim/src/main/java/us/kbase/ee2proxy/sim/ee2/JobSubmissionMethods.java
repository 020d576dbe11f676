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
import us.kbase.ee2proxy.sim.scheduler.NewJob;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/** The five job-creating methods: run_job, run_job_batch, run_job_concierge, retry_job(s). */
final class JobSubmissionMethods {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String CONCIERGE = "kbaseconcierge";

    private final Scheduler scheduler;
    private final Access access;

    JobSubmissionMethods(Scheduler scheduler, Access access) {
        this.scheduler = scheduler;
        this.access = access;
    }

    List<MethodSpec> specs() {
        String p = "execution_engine2.";
        return List.of(
                MethodSpec.of(p + "run_job", Auth.REQUIRED, (c, a) -> NODES.textNode(runJob(c, a.get(0))), "params"),
                MethodSpec.of(p + "run_job_batch", Auth.REQUIRED, (c, a) -> runJobBatch(c, a.get(0), a.get(1)),
                        "params", "batch_params").withTypes(JsonNodeType.ARRAY, JsonNodeType.OBJECT),
                MethodSpec.of(p + "run_job_concierge", Auth.REQUIRED,
                        (c, a) -> NODES.textNode(runConcierge(c, a.get(0), a.get(1))), "params", "concierge_params"),
                MethodSpec.of(p + "retry_job", Auth.REQUIRED, (c, a) -> retryJob(c, a.get(0)), "params"),
                MethodSpec.of(p + "retry_jobs", Auth.REQUIRED, (c, a) -> retryJobs(c, a.get(0)), "params"));
    }

    private String runJob(Caller caller, JsonNode params) throws MethodError {
        return scheduler.submit(newJob(caller, Args.dict(params), null, false)).id();
    }

    /**
     * Validates one RunJobParams and works out whose slot it takes: the owner's, the
     * {@code bill_to_user}'s, or none ({@code ignore_concurrency_limits}), admin-only as in EE2.
     */
    private NewJob newJob(Caller caller, JsonNode params, String batchId, boolean batchChild) throws MethodError {
        String method = Args.text(params, "method");
        if (method == null || method.indexOf('.') <= 0 || method.indexOf('.') != method.lastIndexOf('.')) {
            throw MethodError.incorrectParams("Unrecognized method: '" + params.path("method").asText("None")
                    + "'. Please input module_name.function_name");
        }
        String parent = PyTruth.of(params.get("parent_job_id")) ? params.get("parent_job_id").asText() : null;
        if (batchChild && parent != null) {
            throw MethodError.incorrectParams("batch jobs may not specify a parent job ID");
        }
        String slotUser = caller.user();
        JsonNode reqs = params.get("job_requirements");
        if (PyTruth.of(reqs)) {
            if (!Args.asAdmin(params)) {
                throw MethodError.incorrectParams("In order to specify job requirements you must be a full admin");
            }
            Access.requireAdmin(caller, true);
            if (PyTruth.of(reqs.get("bill_to_user"))) {
                slotUser = reqs.get("bill_to_user").asText();
            }
            if (PyTruth.of(reqs.get("ignore_concurrency_limits"))) {
                slotUser = null;
            }
        }
        Long wsid = Args.number(params, "wsid");
        String label = Args.text(params.path("meta"), "run_id");
        return new NewJob(caller.user(), caller.token(), method, Args.text(params, "app_id"), params, wsid,
                parent, batchId, slotUser, null, label, false);
    }

    private JsonNode runJobBatch(Caller caller, JsonNode list, JsonNode batchParams) throws MethodError {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw MethodError.incorrectParams("params must be a non-empty list of job parameters");
        }
        JsonNode bp = Args.dict(batchParams);
        List<NewJob> children = new ArrayList<>();
        for (JsonNode p : list) {
            children.add(newJob(caller, Args.dict(p), "", true));
        }
        ObjectNode containerParams = NODES.objectNode();
        containerParams.put("method", "batch");
        containerParams.set("wsid", bp.path("wsid").isIntegralNumber() ? bp.get("wsid") : NODES.nullNode());
        Job container = scheduler.submit(new NewJob(caller.user(), caller.token(), "batch", null,
                containerParams, Args.number(bp, "wsid"), null, null, null, null, null, true));
        ArrayNode ids = NODES.arrayNode();
        List<String> childIds = new ArrayList<>();
        for (NewJob c : children) {
            NewJob child = new NewJob(c.user(), c.token(), c.method(), c.appId(), c.params(), c.wsid(), null,
                    container.id(), c.slotUser(), null, c.label(), false);
            String id = scheduler.submit(child).id();
            childIds.add(id);
            ids.add(id);
        }
        scheduler.addChildren(container, childIds);
        ObjectNode out = NODES.objectNode();
        out.put("batch_id", container.id());
        out.set("child_job_ids", ids);
        return out;
    }

    private String runConcierge(Caller caller, JsonNode params, JsonNode conciergeParams) throws MethodError {
        if (!CONCIERGE.equals(caller.user())) {
            throw MethodError.permission("You are not the concierge user. This method is not for you");
        }
        NewJob job = newJob(caller, Args.dict(params), null, false);
        JsonNode cp = Args.dict(conciergeParams);
        // ConciergeParams.ignore_concurrency_limits defaults to true: the concierge takes no user slot.
        boolean ignore = !cp.has("ignore_concurrency_limits") || PyTruth.of(cp.get("ignore_concurrency_limits"));
        String slotUser = ignore ? null : CONCIERGE;
        return scheduler.submit(new NewJob(job.user(), job.token(), job.method(), job.appId(), job.params(),
                job.wsid(), job.parentJobId(), null, slotUser, null, job.label(), false)).id();
    }

    private JsonNode retryJob(Caller caller, JsonNode params) throws MethodError {
        return retry(caller, Args.jobId(params), Args.asAdmin(params));
    }

    private JsonNode retryJobs(Caller caller, JsonNode params) throws MethodError {
        JsonNode ids = Args.dict(params).get("job_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw MethodError.incorrectParams("No job_ids provided to retry");
        }
        ArrayNode out = NODES.arrayNode();
        for (JsonNode id : ids) {
            try {
                out.add(retry(caller, id.asText(), Args.asAdmin(params)));
            } catch (MethodError e) {
                ObjectNode failed = out.addObject();
                failed.put("job_id", id.asText());
                failed.put("error", e.getMessage());
            }
        }
        return out;
    }

    /** The retry is a new job of the same app, user and slot; it remembers the original. */
    private ObjectNode retry(Caller caller, String jobId, boolean asAdmin) throws MethodError {
        Job job = access.check(caller, jobId, asAdmin, true);
        JobRecord r = scheduler.record(job);
        if (r.state().batchContainer()) {
            throw MethodError.incorrectParams("Cannot retry batch job parents. Must retry individual jobs");
        }
        JobStatus st = r.state().status();
        if (st != JobStatus.ERROR && st != JobStatus.TERMINATED) {
            throw MethodError.incorrectParams("Error retrying job " + jobId + " with status " + st.wire()
                    + ": can only retry jobs with status 'error' or 'terminated'");
        }
        NewJob o = job.spec();
        String root = o.retryOf() != null ? o.retryOf() : job.id();
        Job retry = scheduler.submit(new NewJob(o.user(), o.token(), o.method(), o.appId(), o.params(), o.wsid(),
                o.parentJobId(), o.batchId(), o.slotUser(), root, o.label(), false));
        scheduler.addRetry(access.find(root), retry.id());
        Job container = scheduler.find(o.batchId());
        if (container != null) {
            scheduler.addChildren(container, List.of(retry.id()));
        }
        ObjectNode out = NODES.objectNode();
        out.put("job_id", jobId);
        out.put("retry_id", retry.id());
        return out;
    }
}
