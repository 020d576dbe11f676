package us.kbase.ee2proxy.admission;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.jsonrpc.Ee2Reply;
import us.kbase.ee2proxy.jsonrpc.Ee2ReplyReader;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.upstream.UpstreamFailure;

/**
 * Turns an admitted call's provisional leases into job leases once EE2 answers: claim i is bound
 * to the job at {@code classification.jobIndexes().get(i)} of the reply (a run_job's id, a batch's
 * child ids, a retry's new ids). The leases are given back only on proof that no job was made:
 * EE2's own error object for the call ({@link Ee2Reply.Refused}; this is also how a non-admin's
 * {@code bill_to_user} frees the billed user's slots), or the call certainly never reaching EE2.
 * Whenever EE2 may have created a job whose id never came back (a timeout, a reset, an answer
 * that names no job: an empty 200, a gateway's 502), the provisional lease is kept: it expires on
 * its own, and the reconciler adopts the job if it exists. Runs on the event loop; never waits.
 */
final class LeaseObserver implements ReplyObserver {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseObserver.class);

    private final Submission submission;
    private final SlotLedger ledger;
    private final AdmissionMetrics metrics;
    private final LiveState live;
    private final String decision;

    LeaseObserver(Submission submission, SlotLedger ledger, AdmissionMetrics metrics, LiveState live, String decision) {
        this.submission = submission;
        this.ledger = ledger;
        this.metrics = metrics;
        this.live = live;
        this.decision = decision;
    }

    @Override
    public String decision() {
        return decision;
    }

    @Override
    public void onReply(int status, ByteBuf body) {
        Ee2Reply reply = Ee2ReplyReader.read(submission.call(), status, body);
        if (reply instanceof Ee2Reply.Refused refused) {
            LOG.debug("EE2 refused {} ({}): its leases are released", submission.ticket(), refused.why());
            release();
        } else if (reply instanceof Ee2Reply.JobsCreated created) {
            List<String> jobIds = pick(created.jobIds());
            watch("bind", ledger.bind(submission.ledgerUser(), submission.ticket(), jobIds));
            live.bound(submission.classification(), jobIds, submission.call().creation());
        } else if (reply instanceof Ee2Reply.JobsRetried retried) {
            bindRetries(retried.retries());
        } else {
            // An answer that names no job and proves none was made (an empty 200 to a call whose
            // id is null, a reply to HEAD, a gateway's 502): EE2 may have made the job. The
            // provisional lease stays until it expires or the reconciler finds the job.
            LOG.info("{} of {} was answered HTTP {} without a job id or EE2's refusal ({}): its provisional lease is"
                    + " kept until it expires or the job is found", submission.ticket(), submission.ledgerUser(), status,
                    reply instanceof Ee2Reply.Inconclusive unclear ? unclear.why() : "a result that names no job");
            metrics.leaseKeptOnUnclearAnswer();
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {
        if (failure.kind().mayHaveReachedEe2()) {
            LOG.info("EE2 may have created the job(s) of {} without answering ({}): the provisional lease "
                    + "is kept until it expires or the job is found", submission.ticket(), failure.kind());
            metrics.leaseKept();
        } else {
            release();
        }
    }

    @Override
    public void onNotForwarded() {
        release();
    }

    /** The reply's job ids that the call's claims belong to, in claim order. */
    private List<String> pick(List<String> jobIds) {
        List<Integer> indexes = submission.classification().jobIndexes();
        List<String> picked = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            if (index >= jobIds.size()) {
                break; // fewer jobs than claims: bind releases the rest
            }
            picked.add(jobIds.get(index));
        }
        return picked;
    }

    /**
     * Retries that EE2 refused one by one leave holes in the claim order, which bind cannot
     * express: then each made retry is adopted with its claim before the ticket is released, so
     * the user's counts never dip below the truth in between.
     */
    private void bindRetries(List<Ee2Reply.Retry> retries) {
        List<String> ids = new ArrayList<>(retries.size());
        for (Ee2Reply.Retry r : retries) {
            ids.add(r.retryId());
        }
        List<String> picked = pick(ids);
        if (!picked.contains(null) && picked.size() == submission.classification().claims().size()) {
            watch("bind", ledger.bind(submission.ledgerUser(), submission.ticket(), picked));
            return;
        }
        List<SlotClaim> claims = submission.classification().claims();
        List<CompletableFuture<Boolean>> adopted = new ArrayList<>();
        for (int i = 0; i < picked.size(); i++) {
            if (picked.get(i) != null) {
                adopted.add(ledger.adopt(submission.ledgerUser(), picked.get(i), claims.get(i)).toCompletableFuture());
            }
        }
        CompletableFuture.allOf(adopted.toArray(CompletableFuture[]::new))
                .whenComplete((done, error) -> release());
    }

    private void release() {
        watch("release", ledger.releaseTicket(submission.ledgerUser(), submission.ticket()));
    }

    private void watch(String step, CompletionStage<?> stage) {
        stage.whenComplete((done, error) -> {
            if (error != null) {
                LOG.warn("ledger {} of {} failed (the lease expires on its own): {}", step, submission.ticket(),
                        error.toString());
            }
        });
    }
}
