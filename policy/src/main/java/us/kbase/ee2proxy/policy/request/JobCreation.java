package us.kbase.ee2proxy.policy.request;

import java.util.List;

/**
 * A sniffed job-creating EE2 call: the only calls admission looks at. The JSON-RPC sniffer in the
 * proxy produces these; the policy's classifier consumes them.
 */
public sealed interface JobCreation {

    /**
     * {@code run_job}, or {@code run_job_concierge}. {@code concierge} is true only for a
     * {@code run_job_concierge} whose second argument (the concierge params) is truthy in Python:
     * EE2 applies its concierge rules (the concierge user only, no concurrency limit) only
     * {@code if concierge_params:}, and otherwise runs a normal job for the caller.
     */
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
