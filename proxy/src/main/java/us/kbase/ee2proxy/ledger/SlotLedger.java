package us.kbase.ee2proxy.ledger;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * Per-user slot counters shared by every replica: one lease per admitted job, first provisional
 * (keyed by the request's ticket, short TTL) and then bound to the job id EE2 returned (long TTL).
 *
 * <p>Every method is asynchronous and never blocks its caller; completions may run on the
 * implementation's own threads (Redisson's), so a Netty handler hops back to its event loop. A
 * {@code ticket} is the proxy's id for one job-creating request; it only needs to be unique per
 * user. Expired leases stop counting.
 */
public interface SlotLedger extends AutoCloseable {

    /**
     * Checks {@link SlotDemand#fits} against the user's counts and, if it fits, takes every claim as
     * a provisional lease under {@code ticket}, in one atomic step. Acquiring a ticket that already
     * holds leases admits again without taking anything (a replay after a timeout is harmless).
     */
    CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand);

    /**
     * Binds the ticket's provisional leases to the job ids EE2 returned (claim i to job id i), with
     * the long TTL; leases beyond the job ids given are released. Returns the job ids bound (a job
     * id already released, see {@link #releaseJob(String, String)}, is not bound).
     */
    CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds);

    /** Releases the ticket's provisional leases (EE2 error, upstream failure, client gone). */
    CompletionStage<Integer> releaseTicket(String user, String ticket);

    /**
     * Releases a finished job's lease, finding its owner in the ledger's job index (finishing calls
     * may carry an admin's token). Idempotent: true only for the call that actually freed it.
     */
    CompletionStage<Boolean> releaseJob(String jobId);

    /**
     * Releases a job's lease when the caller knows the owner (a JobState names its {@code user}),
     * and remembers the job as gone for the tombstone TTL so a late bind or adopt cannot resurrect
     * it.
     */
    CompletionStage<Boolean> releaseJob(String user, String jobId);

    /**
     * The user whose bound lease {@code jobId} is, from the ledger's job index; empty when no
     * lease is bound to it (never bound, released, expired). Job tracking asks it before freeing
     * a lease for a finish or cancel, which only the lease's owner or an EE2 admin may do. Fails
     * when the ledger cannot tell (Redis down and the job not known to this replica).
     */
    CompletionStage<Optional<String>> jobOwner(String jobId);

    /**
     * A finished job's release by the caller who says it owns it: when the job index names {@code
     * claimant} as the owner, its lease is released (as {@link #releaseJob(String, String)}); when
     * it names nobody, the job is marked finished (as {@link #releaseJob(String)}); when it names
     * someone else, nothing changes and the owner is answered (only an EE2 admin may free another's
     * lease: the caller checks, then releases by the owner). On one Redis node this is one round
     * trip where {@link #jobOwner} then a release are two. Fails as {@link #jobOwner} does.
     */
    default CompletionStage<OwnedRelease> releaseJobOf(String claimant, String jobId) {
        return jobOwner(jobId).thenCompose(owner -> {
            if (owner.isEmpty()) {
                return releaseJob(jobId).thenApply(freed -> new OwnedRelease(owner, freed));
            }
            if (!owner.get().equals(claimant)) {
                return CompletableFuture.completedFuture(new OwnedRelease(owner, false));
            }
            return releaseJob(claimant, jobId).thenApply(freed -> new OwnedRelease(owner, freed));
        });
    }

    /**
     * The answer to {@link #releaseJobOf}.
     *
     * @param owner the job's owner in the job index before the call; empty when none was known
     * @param freed whether this call freed a lease
     */
    record OwnedRelease(Optional<String> owner, boolean freed) {}

    /** P(u), A(u) and parents by app, after dropping expired leases. */
    CompletionStage<UserCounts> counts(String user);

    /**
     * The claim (depth and app) of {@code jobId} if it is a live bound parent lease of THIS user;
     * else empty. Admission resolves {@code parent_job_id}s with it: a nested parallel app's depth
     * comes from its parent's, and a copy of the parent's own module is a child.
     */
    CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId);

    /**
     * Takes a bound lease for a job the proxy never saw admitted (reconciler) or replays one
     * (outage). No cap is checked. True if the lease is new; false if it was already there (its
     * TTL is renewed) or the job was released within the tombstone TTL.
     */
    CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim);

    /** The user's live bound leases (provisional ones have no job id yet). */
    CompletionStage<List<TrackedJob>> trackedJobs(String user);

    /**
     * {@link #trackedJobs} and {@link #counts} together, for a page or a classification that needs
     * both (one round trip on Redis).
     */
    default CompletionStage<UserLeases> leases(String user) {
        return trackedJobs(user).thenCombine(counts(user), UserLeases::new);
    }

    /** The answer to {@link #leases}. */
    record UserLeases(List<TrackedJob> jobs, UserCounts counts) {}

    /** Every user who may hold leases (may include users whose leases all just expired). */
    CompletionStage<Set<String>> users();

    /**
     * Registers a listener told the user's name whenever one of their leases is released or
     * expires, on any replica: held requests of that user may fit now. Called on the ledger's
     * thread; keep it short.
     */
    void onRelease(Consumer<String> listener);

    @Override
    void close();
}
