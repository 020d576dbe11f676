package us.kbase.ee2proxy.policy.request;

import java.util.List;

/**
 * A sniffed job-creating EE2 call: the only calls admission looks at. The JSON-RPC sniffer in the
 * proxy produces these; the policy's classifier consumes them.
 */
public sealed interface JobCreation {

    /** {@code run_job}, or {@code run_job_concierge} when {@code concierge} is true. */
    record RunJob(RunJobParams params, boolean concierge) implements JobCreation {}

    /**
     * {@code run_job_batch(list<RunJobParams>, {wsid, as_admin})}: the container takes no slot,
     * each child does.
     */
    record RunJobBatch(List<RunJobParams> jobs, boolean asAdmin) implements JobCreation {
        public RunJobBatch {
            jobs = List.copyOf(jobs);
        }
    }

    /**
     * {@code retry_job({job_id})} ({@code single} true) or {@code retry_jobs({job_ids})}. Each
     * retry is a new job of the class of the job it retries.
     */
    record RetryJobs(List<String> jobIds, boolean asAdmin, boolean single) implements JobCreation {
        public RetryJobs {
            jobIds = List.copyOf(jobIds);
        }
    }
}
