package us.kbase.ee2proxy.admission;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * What a retried job was submitted with, asked of EE2 with the caller's own token ({@code check_job}'s
 * {@code job_input}): a retry takes the class of the job it retries. Empty when EE2 does not tell
 * (not the caller's job, unknown, EE2 down): the retry then counts as a plain job, and EE2 refuses
 * a retry of a job the caller may not read anyway.
 */
@FunctionalInterface
public interface RetriedJobs {
    CompletionStage<Optional<RunJobParams>> params(String token, String jobId);
}
