package us.kbase.ee2proxy.policy.classify;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /**
     * The retried job's params, or empty when EE2 will not show it to the caller (then EE2 refuses
     * the retry too, and it is a plain job) or when it could not be found out ({@link #unknown}).
     */
    Optional<RunJobParams> retried(String jobId);

    /**
     * Whether the retried job could not be looked up at all (EE2 unreachable or too slow): the
     * retry may be of a parallel app, so it is classified as the strictest class, a parallel app at
     * depth 0. Every ambiguity is "the job may exist".
     */
    default boolean unknown(String jobId) {
        return false;
    }

    static RetryLookup of(Map<String, RunJobParams> known) {
        return of(known, Set.of());
    }

    /** The same, with the ids whose lookup could not be answered. */
    static RetryLookup of(Map<String, RunJobParams> known, Set<String> unknown) {
        Map<String, RunJobParams> copy = Map.copyOf(known);
        Set<String> notAnswered = Set.copyOf(unknown);
        return new RetryLookup() {
            @Override
            public Optional<RunJobParams> retried(String jobId) {
                return Optional.ofNullable(copy.get(jobId));
            }

            @Override
            public boolean unknown(String jobId) {
                return !copy.containsKey(jobId) && notAnswered.contains(jobId);
            }
        };
    }
}
