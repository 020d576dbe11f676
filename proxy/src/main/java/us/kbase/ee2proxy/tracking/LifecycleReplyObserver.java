package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.jsonrpc.Ee2Method;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * finish_job, cancel_job, a terminal update_job_status of {@code jobId}: EE2's success for the
 * call means that job holds no slot any more (a job runner stops its job once EE2 says it is
 * finished), and {@link JobTracker#finishedBy} frees its lease for its owner or an EE2 admin.
 * Anything else (EE2's error, an unreadable answer, no answer) frees nothing: the job may still
 * run, and the reconciler asks EE2 later. Not a record: it holds the caller's token, which must
 * never reach a log.
 */
final class LifecycleReplyObserver implements ReplyObserver {
    private final SniffResult.Call call;
    private final String jobId;
    private final String token;
    private final JobTracker tracker;

    LifecycleReplyObserver(SniffResult.Call call, String jobId, String token, JobTracker tracker) {
        this.call = call;
        this.jobId = jobId;
        this.token = token;
        this.tracker = tracker;
    }

    @Override
    public void onReply(int status, ByteBuf body) {
        if (Ee2ReplyReader.read(call, status, body) instanceof Ee2Reply.Succeeded) {
            // The job's end first, then its release: a page never shows a freed child as unfinished.
            tracker.progressed(jobId, call.method() == Ee2Method.CANCEL_JOB ? "cancelled" : call.status());
            tracker.finishedBy(token, jobId, call.method() == Ee2Method.CANCEL_JOB);
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {}

    @Override
    public void onNotForwarded() {}

    @Override
    public String toString() {
        return "LifecycleReplyObserver[" + call.method() + " " + jobId + "]";
    }
}
