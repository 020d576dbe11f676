package us.kbase.ee2proxy.tracking;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * A check_* or get_job_status reply: every job it shows in a terminal state is finished. Most of
 * these replies (the runner's {@code check_job_canceled}, once a second per running job) show
 * nothing terminal, so the body is scanned for the words a terminal state needs before anything
 * is parsed ({@link TerminalWords}).
 */
record StatusReplyObserver(SniffResult.Call call, JobTracker tracker) implements ReplyObserver {

    @Override
    public void onReply(int status, ByteBuf body) {
        if (status != 200 || body.readableBytes() > tracker.maxReplyBytes() || !TerminalWords.mayAppearIn(body)) {
            return;
        }
        if (Ee2ReplyReader.read(call, status, body) instanceof Ee2Reply.JobStates states) {
            List<String> finished = new ArrayList<>(1);
            for (Ee2Reply.JobState state : states.states()) {
                if (state.terminal() && state.jobId() != null) {
                    tracker.progressed(state.jobId(), state.status()); // null (check_job_canceled): how is unknown
                    finished.add(state.jobId());
                }
            }
            tracker.finished(finished);
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {}

    @Override
    public void onNotForwarded() {}
}
