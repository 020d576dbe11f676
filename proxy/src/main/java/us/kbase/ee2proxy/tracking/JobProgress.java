package us.kbase.ee2proxy.tracking;

import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Told what EE2 shows of a job's progress, as the lifecycle and status calls passing through the
 * proxy and the reconciler's reads reveal it (the status pages show each parallel app's children
 * by state). Asked first whether the job is of interest, so that a call about any other job costs
 * one lookup. Called on whatever thread saw it; keep it short, never wait.
 */
public interface JobProgress {
    /** Nothing is of interest. */
    JobProgress NONE = new JobProgress() {
        @Override
        public boolean watches(String jobId) {
            return false;
        }

        @Override
        public void seen(String jobId, String status) {}
    };

    /** The progress listener made of two functions (e.g. the live state's {@code watches} and {@code progress}). */
    static JobProgress of(Predicate<String> watches, BiConsumer<String, String> seen) {
        return new JobProgress() {
            @Override
            public boolean watches(String jobId) {
                return watches.test(jobId);
            }

            @Override
            public void seen(String jobId, String status) {
                seen.accept(jobId, status);
            }
        };
    }

    /** Whether {@code jobId}'s progress is of interest. */
    boolean watches(String jobId);

    /**
     * EE2 shows {@code jobId} in {@code status}: EE2's word ("queued", "running", "completed",
     * "error", "terminated"), or "cancelled" for a cancel_job of it that EE2 accepted.
     */
    void seen(String jobId, String status);
}
