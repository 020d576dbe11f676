package us.kbase.ee2proxy.jsonrpc;

import java.util.ArrayList;
import java.util.List;
import us.kbase.ee2proxy.policy.request.JobCreation;
import us.kbase.ee2proxy.policy.request.JobRequirements;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * Reads what admission and job tracking need out of an accepted call's {@code params} (a
 * positional list, as EE2's JSON-RPC layer requires for every method it serves).
 *
 * <p>Reading is lenient where that can only over-count: an element of a batch that is not an
 * object still counts as a job (EE2 then refuses the batch and the proxy releases the slots).
 * It refuses only shapes that cannot create a job at all: {@code params} not a list, or a first
 * argument of the wrong JSON type ({@code null} included: EE2's method then fails on it).
 */
final class CallParams {

    private static final byte[][] RUN_JOB_PARAMS =
            JsonValues.names("method", "app_id", "parent_job_id", "as_admin", "job_requirements", "remote_url");
    private static final byte[][] REQUIREMENTS =
            JsonValues.names("ignore_concurrency_limits", "bill_to_user");
    private static final byte[][] AS_ADMIN = JsonValues.names("as_admin");
    private static final byte[][] RETRY = JsonValues.names("job_id", "job_ids", "as_admin");
    private static final byte[][] JOB_REFS = JsonValues.names("job_id", "job_ids", "status");
    private static final byte[][] ERROR_MESSAGE = JsonValues.names("error_message");

    private static final RunJobParams UNREADABLE_JOB =
            new RunJobParams(null, null, null, false, JobRequirements.NONE);

    private final byte[] b;
    /** Where the first positional argument starts; -1 when {@code params} is not a non-empty list. */
    private final int first;

    CallParams(byte[] text, int paramsStart) {
        this.b = text;
        int inside = JsonValues.skipWhitespace(text, paramsStart + 1);
        this.first = JsonValues.isArray(text, paramsStart) && text[inside] != ']' ? inside : -1;
    }

    /** Where the second positional argument starts, or -1 (found by skipping the first). */
    private int second() {
        int after = JsonValues.skipWhitespace(b, JsonValues.valueEnd(b, first));
        return b[after] == ',' ? JsonValues.skipWhitespace(b, after + 1) : -1;
    }

    /** The job creation a job-creating method asks for, or null when EE2 cannot create one. */
    JobCreation creation(Ee2Method method) {
        if (first < 0) {
            return null;
        }
        return switch (method) {
            case RUN_JOB, RUN_JOB_CONCIERGE -> JsonValues.isObject(b, first)
                    ? new JobCreation.RunJob(runJobParams(first), method == Ee2Method.RUN_JOB_CONCIERGE && conciergeParams())
                    : null;
            case RUN_JOB_BATCH -> JsonValues.isArray(b, first) ? batch(first) : null;
            case RETRY_JOB, RETRY_JOBS -> JsonValues.isObject(b, first) ? retry(first, method == Ee2Method.RETRY_JOB) : null;
            default -> null;
        };
    }

    /**
     * The job ids a lifecycle or status call names: {@code job_id} and {@code job_ids} of its
     * first argument, or the first argument itself when it is a string (older EE2 signatures).
     */
    List<String> jobIds() {
        if (first < 0) {
            return List.of();
        }
        if (JsonValues.isString(b, first)) {
            return List.of(JsonValues.string(b, first));
        }
        if (!JsonValues.isObject(b, first)) {
            return List.of();
        }
        int[] at = JsonValues.lastValues(b, first, JOB_REFS);
        List<String> ids = new ArrayList<>(1);
        if (at[0] >= 0 && JsonValues.isString(b, at[0])) {
            ids.add(JsonValues.string(b, at[0]));
        }
        if (at[1] >= 0) {
            ids.addAll(strings(at[1]));
        }
        return ids;
    }

    /**
     * The {@code job_id} string of the first argument, else null: the one job EE2's lifecycle
     * methods (and check_job, get_job_status) read, whatever else the params name.
     */
    String jobId() {
        if (first < 0 || !JsonValues.isObject(b, first)) {
            return null;
        }
        int at = JsonValues.lastValues(b, first, JOB_REFS)[0];
        return at >= 0 && JsonValues.isString(b, at) ? JsonValues.string(b, at) : null;
    }

    /** The {@code status} string of an update_job_status call, else null. */
    String status() {
        if (first < 0 || !JsonValues.isObject(b, first)) {
            return null;
        }
        int at = JsonValues.lastValues(b, first, JOB_REFS)[2];
        return at >= 0 && JsonValues.isString(b, at) ? JsonValues.string(b, at) : null;
    }

    /**
     * The status EE2's finish_job gives the job when it succeeds: {@code error} when the first
     * argument's {@code error_message} is truthy in Python (EE2: {@code if error_message:}),
     * else {@code completed} (without {@code job_output} EE2 then marks it an error too, but
     * answers the call with an error, so no success reveals it). Null when it acts on no job.
     */
    String finishStatus() {
        if (first < 0 || !JsonValues.isObject(b, first)) {
            return null;
        }
        int at = JsonValues.lastValues(b, first, ERROR_MESSAGE)[0];
        return at >= 0 && JsonValues.truthy(b, at) ? "error" : "completed";
    }

    /**
     * Whether run_job_concierge's second argument is truthy in Python: EE2 applies the concierge
     * rules only {@code if concierge_params:}; with {@code {}}, {@code null} or none it runs a
     * normal job for the caller (or fails on the missing argument, creating nothing).
     */
    private boolean conciergeParams() {
        int second = second();
        return second >= 0 && JsonValues.truthy(b, second);
    }

    private JobCreation batch(int list) {
        List<RunJobParams> jobs = new ArrayList<>();
        for (int job : JsonValues.elements(b, list)) {
            jobs.add(JsonValues.isObject(b, job) ? runJobParams(job) : UNREADABLE_JOB);
        }
        boolean asAdmin = false;
        int batchParams = second();
        if (batchParams >= 0 && JsonValues.isObject(b, batchParams)) {
            int at = JsonValues.lastValues(b, batchParams, AS_ADMIN)[0];
            asAdmin = at >= 0 && JsonValues.truthy(b, at);
        }
        return new JobCreation.RunJobBatch(jobs, asAdmin);
    }

    private JobCreation retry(int object, boolean single) {
        int[] at = JsonValues.lastValues(b, object, RETRY);
        List<String> ids;
        if (single) {
            ids = at[0] >= 0 && JsonValues.isString(b, at[0]) ? List.of(JsonValues.string(b, at[0])) : List.of();
        } else {
            ids = at[1] >= 0 ? strings(at[1]) : List.of();
        }
        boolean asAdmin = at[2] >= 0 && JsonValues.truthy(b, at[2]);
        return new JobCreation.RetryJobs(ids, asAdmin, single);
    }

    private RunJobParams runJobParams(int object) {
        int[] at = JsonValues.lastValues(b, object, RUN_JOB_PARAMS);
        String method = stringOrNull(at[0]);
        String appId = stringOrNull(at[1]);
        String parent = null;
        if (at[2] >= 0 && JsonValues.truthy(b, at[2])) {
            parent = JsonValues.isString(b, at[2])
                    ? JsonValues.string(b, at[2])
                    : JsonValues.text(b, at[2], JsonValues.valueEnd(b, at[2]));
        }
        boolean asAdmin = at[3] >= 0 && JsonValues.truthy(b, at[3]);
        JobRequirements requirements = JobRequirements.NONE;
        if (at[4] >= 0 && JsonValues.isObject(b, at[4])) {
            int[] req = JsonValues.lastValues(b, at[4], REQUIREMENTS);
            boolean ignoreLimits = req[0] >= 0 && JsonValues.truthy(b, req[0]);
            String billTo = stringOrNull(req[1]);
            requirements = new JobRequirements(true, ignoreLimits, billTo == null || billTo.isEmpty() ? null : billTo);
        }
        return new RunJobParams(method, appId, parent, asAdmin, requirements, at[5] >= 0);
    }

    /** The string elements of the list at {@code at}; anything else there is skipped. */
    private List<String> strings(int at) {
        if (!JsonValues.isArray(b, at)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int e : JsonValues.elements(b, at)) {
            if (JsonValues.isString(b, e)) {
                out.add(JsonValues.string(b, e));
            }
        }
        return out;
    }

    private String stringOrNull(int at) {
        return at >= 0 && JsonValues.isString(b, at) ? JsonValues.string(b, at) : null;
    }
}
