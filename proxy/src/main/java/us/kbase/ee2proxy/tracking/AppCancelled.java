package us.kbase.ee2proxy.tracking;

/**
 * Told when EE2 accepted a {@code cancel_job} that passed through the proxy, from the job's owner
 * or an EE2 admin ({@link JobTracker#onAppCancelled}). Called on whatever thread completed the
 * ownership check; keep it short (start work, never wait).
 */
@FunctionalInterface
public interface AppCancelled {
    /**
     * @param owner the ledger user whose job it is (or the caller, when the ledger knows no lease of
     *     it): only this user's waiting calls and children are touched
     * @param jobId the cancelled job, maybe a parallel app
     */
    void cancelled(String owner, String jobId);
}
