package us.kbase.ee2proxy.status;

import java.time.Instant;

/**
 * A parallel app the proxy admitted and whose job EE2 named.
 *
 * @param startedBy the parallel app that started it (nested), or null at depth 0
 * @param listed its app is in {@code parents.apps}; false for a job of another app seen fanning
 *     out (children attributed to it), which the ledger counts as a plain job
 */
public record ParallelApp(String jobId, String app, int depth, String startedBy, Instant admitted, boolean listed) {
    /** A job of an app listed in {@code parents.apps}. */
    public ParallelApp(String jobId, String app, int depth, String startedBy, Instant admitted) {
        this(jobId, app, depth, startedBy, admitted, true);
    }
}
