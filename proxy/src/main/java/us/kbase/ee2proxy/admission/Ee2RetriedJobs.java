package us.kbase.ee2proxy.admission;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.tracking.Ee2CallException;
import us.kbase.ee2proxy.tracking.Ee2Client;

/**
 * {@link RetriedJobs} through EE2's {@code check_job} with the caller's token, bounded by the
 * client's timeout. EE2's error object is {@link RetriedJob.NotFound}; no answer, a late one or
 * one that is not JSON-RPC is {@link RetriedJob.Unknown}, as is a job whose input EE2 left out.
 */
final class Ee2RetriedJobs implements RetriedJobs {
    private final Ee2Client ee2;

    Ee2RetriedJobs(Ee2Client ee2) {
        this.ee2 = ee2;
    }

    @Override
    public CompletionStage<RetriedJob> lookup(String token, String jobId, boolean asAdmin) {
        return ee2.checkJob(token, jobId, asAdmin).handle((job, error) -> {
            if (error == null) {
                return job.input() != null ? new RetriedJob.Found(job.input())
                        : new RetriedJob.Unknown("EE2's check_job of " + jobId + " did not say what it ran");
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof Ee2CallException e && e.refused()) {
                return new RetriedJob.NotFound(e.code(), e.getMessage());
            }
            return new RetriedJob.Unknown(cause.getMessage() != null ? cause.getMessage() : cause.toString());
        });
    }
}
