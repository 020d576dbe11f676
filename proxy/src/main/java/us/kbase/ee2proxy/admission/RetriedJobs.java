package us.kbase.ee2proxy.admission;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * What a retried job was submitted with, asked of EE2 with the caller's own token
 * ({@code check_job}'s {@code job_input}): a retry takes the class of the job it retries.
 */
public interface RetriedJobs {

    /**
     * Asks EE2 about the job a retry names. The stage always completes normally, within the
     * lookup's bound, with one of {@link RetriedJob.Found}, {@link RetriedJob.NotFound} (EE2
     * answered: it refuses the retry too) or {@link RetriedJob.Unknown} (could not find out: the
     * retry may be a parallel app).
     *
     * @param asAdmin the retry's own {@code as_admin}: an admin's retry of another user's job is
     *     looked up as EE2 will run it, with {@code as_admin}
     */
    CompletionStage<RetriedJob> lookup(String token, String jobId, boolean asAdmin);

    /**
     * The former face of {@link #lookup}, kept until the call classifier moves to it: the params
     * when found, empty when EE2 said no, and a failed stage ({@link LookupFailed}) when the
     * proxy could not find out.
     */
    default CompletionStage<Optional<RunJobParams>> params(String token, String jobId) {
        return lookup(token, jobId, false).thenApply(job -> {
            if (job instanceof RetriedJob.Found found) {
                return Optional.of(found.params());
            }
            if (job instanceof RetriedJob.Unknown unknown) {
                throw new CompletionException(new LookupFailed(unknown.why()));
            }
            return Optional.<RunJobParams>empty();
        });
    }

    /** {@link RetriedJob.Unknown} as a failure, for {@link #params}. */
    final class LookupFailed extends RuntimeException {
        public LookupFailed(String why) {
            super(why, null, false, false);
        }
    }
}
