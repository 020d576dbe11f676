package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * A runner's start_job (or update_job_status to running) of a job {@link JobProgress} watches:
 * EE2's success for it means the job runs now. Frees nothing, and anything but EE2's success
 * tells nothing.
 */
record ProgressReplyObserver(SniffResult.Call call, String status, JobTracker tracker) implements ReplyObserver {

    @Override
    public void onReply(int httpStatus, ByteBuf body) {
        if (Ee2ReplyReader.read(call, httpStatus, body) instanceof Ee2Reply.Succeeded) {
            tracker.progressed(call.jobId(), status);
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {}

    @Override
    public void onNotForwarded() {}
}
