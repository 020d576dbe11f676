package us.kbase.ee2proxy.jsonrpc;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What job tracking learns from one EE2 reply, read by {@link Ee2ReplyReader}. */
public sealed interface Ee2Reply {

    /**
     * EE2's own JSON-RPC error for this call: HTTP 500, an {@code error} object with a numeric
     * {@code code}, and the call's {@code id}. The method raised, so it created no job (a run_job
     * whose scheduler submission failed leaves its job in {@code error}, holding no slot) and
     * finished none. The only answer that proves a job-creating call did nothing.
     *
     * @param why a short description for logs, e.g. "error -32000"
     */
    record Refused(String why) implements Ee2Reply {
        public Refused {
            Objects.requireNonNull(why, "why");
        }
    }

    /**
     * An answer that proves nothing about what EE2 did with the call: another status without
     * EE2's error object (a gateway's 502 or 504 while EE2 may have gone on), an empty or
     * unreadable body (EE2's answer to a call whose {@code id} is null, a reply to HEAD), an
     * error object without this call's id, or a 200 without a result. Every such answer counts as
     * "the job may exist", and as "nothing was finished".
     *
     * @param why a short description for logs, e.g. "HTTP 502" or "empty body"
     */
    record Inconclusive(String why) implements Ee2Reply {
        public Inconclusive {
            Objects.requireNonNull(why, "why");
        }
    }

    /**
     * EE2's success for this call (HTTP 200, a {@code result}, the call's {@code id}) whose result
     * tells tracking nothing more (lifecycle calls, or a result of an unexpected shape).
     */
    record Succeeded() implements Ee2Reply {}

    /**
     * The jobs a run_job, run_job_concierge or run_job_batch created.
     *
     * @param batchId the batch container's job id (run_job_batch only; it takes no slot), else null
     * @param jobIds the job id a run_job returned, or the batch's child job ids in order
     */
    record JobsCreated(String batchId, List<String> jobIds) implements Ee2Reply {
        public JobsCreated {
            jobIds = List.copyOf(jobIds);
        }
    }

    /** What retry_job or retry_jobs did for each job, in the order EE2 answered. */
    record JobsRetried(List<Retry> retries) implements Ee2Reply {
        public JobsRetried {
            retries = List.copyOf(retries);
        }
    }

    /**
     * One job of a retry: {@code retryId} is the new job's id when the retry was made, else
     * null with EE2's {@code error} text.
     */
    record Retry(String jobId, String retryId, String error) {}

    /** The job states a check_* or get_job_status reply reports. */
    record JobStates(List<JobState> states) implements Ee2Reply {
        public JobStates {
            states = List.copyOf(states);
        }
    }

    /**
     * One job's state as a reply reports it.
     *
     * @param jobId the job id (for get_job_status, the one the request asked about)
     * @param status EE2's status ("queued", "running", "completed", ...); null from
     *     check_job_canceled, which reports only whether the job finished
     * @param user the job's owner when the reply names it, else null
     * @param terminal whether the job has finished: a terminal status, or check_job_canceled's
     *     {@code finished}
     */
    record JobState(String jobId, String status, String user, boolean terminal) {

        /** EE2's terminal states: a job in one holds no scheduler slot. */
        public static final Set<String> TERMINAL_STATUSES = Set.of("completed", "error", "terminated");

        /** A state read from a status string. */
        public static JobState of(String jobId, String status, String user) {
            return new JobState(jobId, status, user, status != null && TERMINAL_STATUSES.contains(status));
        }
    }
}
