package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * finish_job, cancel_job, a terminal update_job_status: EE2 succeeding means the job holds no slot
 * any more. A failure (EE2's error, or no answer) frees nothing: the job may still run, and the
 * reconciler asks EE2 later.
 */
record LifecycleReplyObserver(SniffResult.Call call, JobTracker tracker) implements ReplyObserver {

    @Override
    public void onReply(int status, ByteBuf body) {
        if (Ee2ReplyReader.read(call, status, body) instanceof Ee2Reply.Succeeded) {
            tracker.finished(call.jobIds());
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {}

    @Override
    public void onNotForwarded() {}
}
