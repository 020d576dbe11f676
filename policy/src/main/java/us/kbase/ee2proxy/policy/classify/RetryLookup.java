package us.kbase.ee2proxy.policy.classify;

import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * What a job being retried asked for: its RunJobParams as EE2 recorded them
 * ({@code check_job(job_id).job_input}: method, app_id, parent_job_id, requirements; the user's
 * own token may read it) or as the proxy remembered them. A retry takes the class those params
 * get now, which is the class of the job it retries; classifying again rather than storing a
 * class keeps a nested retry's depth true to the parents active today.
 */
@FunctionalInterface
public interface RetryLookup {
    RetryLookup NONE = jobId -> Optional.empty();

    /** The retried job's params, or empty when unknown (then the retry is a plain job). */
    Optional<RunJobParams> retried(String jobId);

    static RetryLookup of(Map<String, RunJobParams> known) {
        Map<String, RunJobParams> copy = Map.copyOf(known);
        return jobId -> Optional.ofNullable(copy.get(jobId));
    }
}
