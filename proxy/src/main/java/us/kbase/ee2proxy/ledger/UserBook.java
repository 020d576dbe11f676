package us.kbase.ee2proxy.ledger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * One user's leases in {@link InMemorySlotLedger}, the same model as the Redis script: lease ids
 * {@code t:<ticket>:<i>} (provisional) and {@code j:<jobId>} (bound), each with an expiry, plus
 * tombstones of released job ids, and until when the user's own last call keeps their reserve
 * ({@code children.reserveFor}, the script's {@code own} field). Not thread-safe: the ledger locks the book around each step.
 *
 * <p>Every step costs O(log n) in the user's leases, not O(n): leases and tombstones are also kept
 * in expiry order (a sweep touches only what expired) and the counts are kept as leases come and
 * go. A user with thousands of queued jobs is the case this is for. Children are counted by the
 * parent they were admitted as children of, for {@link ChildBound}s.
 */
final class UserBook {
    private record Lease(String id, SlotClaim claim, long expiresAt) {}

    private record Tombstone(String jobId, long expiresAt) {}

    private static final Comparator<Lease> BY_EXPIRY =
            Comparator.comparingLong(Lease::expiresAt).thenComparing(Lease::id);
    private static final Comparator<Tombstone> TOMBSTONE_EXPIRY =
            Comparator.comparingLong(Tombstone::expiresAt).thenComparing(Tombstone::jobId);

    private final Map<String, Lease> leases = new LinkedHashMap<>();
    private final TreeSet<Lease> byExpiry = new TreeSet<>(BY_EXPIRY);
    private final Map<String, Tombstone> tombstones = new HashMap<>();
    private final TreeSet<Tombstone> tombstonesByExpiry = new TreeSet<>(TOMBSTONE_EXPIRY);
    private final Map<String, Integer> parentsByApp = new HashMap<>();
    /** Unfinished leases by the parent they were admitted as children of ({@link SlotClaim#childOf()}). */
    private final Map<String, Integer> childrenByParent = new HashMap<>();
    /** All of them: an attributed child's bound counts every child of the user. */
    private int children;
    private int parents;
    /** Until when (ms) the user's reserve is kept: their last own call + children.reserveFor. */
    private long ownCallUntil = Long.MIN_VALUE;
    /** The time of the last sweep: the step's now. */
    private long now = Long.MIN_VALUE;
    /** Set, under the book's lock, once the ledger dropped this empty book from its map. */
    boolean retired;

    /** Drops expired leases and tombstones; returns the expired leases' job ids (null: provisional). */
    List<String> sweep(long now) {
        this.now = now;
        List<String> expired = List.of();
        while (!byExpiry.isEmpty() && byExpiry.first().expiresAt <= now) {
            Lease lease = byExpiry.pollFirst();
            remove(lease.id);
            if (expired.isEmpty()) {
                expired = new ArrayList<>();
            }
            expired.add(lease.id.startsWith("j:") ? lease.id.substring(2) : null);
        }
        while (!tombstonesByExpiry.isEmpty() && tombstonesByExpiry.first().expiresAt <= now) {
            tombstones.remove(tombstonesByExpiry.pollFirst().jobId);
        }
        return expired;
    }

    Admission.Verdict acquire(String ticket, SlotDemand demand, long expiresAt) {
        List<SlotClaim> claims = demand.claims();
        if (demand.marksOwnCallMs() > 0) {
            // The user's own call, fitting or not (one waiting at the proxy is theirs too).
            ownCallUntil = Math.max(ownCallUntil, now + demand.marksOwnCallMs());
        }
        if (claims.isEmpty() || leases.containsKey(provisionalId(ticket, 0))) {
            return Admission.Verdict.ADMITTED;
        }
        for (ChildBound bound : demand.childBounds()) {
            int unfinished = bound.parent().equals(ChildBound.ATTRIBUTED) ? children
                    : childrenByParent.getOrDefault(bound.parent(), 0);
            if ((long) unfinished + demand.childrenOf(bound) > bound.limit()) {
                return Admission.Verdict.CHILDREN_BOUND;
            }
        }
        if (!demand.fits(counts())) {
            return Admission.Verdict.FULL;
        }
        for (int i = 0; i < claims.size(); i++) {
            put(provisionalId(ticket, i), claims.get(i), expiresAt);
        }
        return Admission.Verdict.ADMITTED;
    }

    /** Binds claim i to job i; returns the job ids bound. {@code freed[0]} counts released leases. */
    List<String> bind(String ticket, List<String> jobIds, long expiresAt, int[] freed) {
        List<String> bound = new ArrayList<>();
        for (int i = 0; ; i++) {
            Lease lease = remove(provisionalId(ticket, i));
            if (lease == null) {
                return bound;
            }
            String jobId = i < jobIds.size() ? jobIds.get(i) : null;
            if (jobId != null && !tombstones.containsKey(jobId)) {
                put(boundId(jobId), lease.claim, expiresAt);
                bound.add(jobId);
            } else {
                freed[0]++;
            }
        }
    }

    int releaseTicket(String ticket) {
        int released = 0;
        while (remove(provisionalId(ticket, released)) != null) {
            released++;
        }
        return released;
    }

    boolean releaseJob(String jobId, long tombstoneUntil) {
        Tombstone old = tombstones.put(jobId, new Tombstone(jobId, tombstoneUntil));
        if (old != null) {
            tombstonesByExpiry.remove(old);
        }
        tombstonesByExpiry.add(tombstones.get(jobId));
        return remove(boundId(jobId)) != null;
    }

    boolean adopt(String jobId, SlotClaim claim, long expiresAt) {
        if (tombstones.containsKey(jobId)) {
            return false;
        }
        return put(boundId(jobId), claim, expiresAt) == null;
    }

    boolean holds(String jobId) {
        return leases.containsKey(boundId(jobId));
    }

    Optional<SlotClaim> parentClaim(String jobId) {
        Lease lease = leases.get(boundId(jobId));
        return lease != null && lease.claim.parent() ? Optional.of(lease.claim) : Optional.empty();
    }

    List<TrackedJob> tracked() {
        List<TrackedJob> jobs = new ArrayList<>();
        leases.forEach(
                (id, lease) -> {
                    if (id.startsWith("j:")) {
                        jobs.add(new TrackedJob(id.substring(2), lease.claim));
                    }
                });
        return jobs;
    }

    UserCounts counts() {
        return new UserCounts(parents, leases.size(), parentsByApp, ownCallUntil > now ? ownCallUntil - now : 0);
    }

    boolean isEmpty() {
        return leases.isEmpty() && tombstones.isEmpty() && ownCallUntil <= now;
    }

    /** Puts (or replaces) a lease; returns the one it replaced. */
    private Lease put(String id, SlotClaim claim, long expiresAt) {
        Lease old = remove(id);
        Lease lease = new Lease(id, claim, expiresAt);
        leases.put(id, lease);
        byExpiry.add(lease);
        if (claim.parent()) {
            parents++;
            parentsByApp.merge(claim.app(), 1, Integer::sum);
        }
        if (claim.childOf() != null) {
            children++;
            childrenByParent.merge(claim.childOf(), 1, Integer::sum);
        }
        return old;
    }

    private Lease remove(String id) {
        Lease lease = leases.remove(id);
        if (lease == null) {
            return null;
        }
        byExpiry.remove(lease);
        if (lease.claim.parent()) {
            parents--;
            parentsByApp.computeIfPresent(lease.claim.app(), (app, n) -> n == 1 ? null : n - 1);
        }
        if (lease.claim.childOf() != null) {
            children--;
            childrenByParent.computeIfPresent(lease.claim.childOf(), (parent, n) -> n == 1 ? null : n - 1);
        }
        return lease;
    }

    private static String provisionalId(String ticket, int i) {
        return "t:" + ticket + ":" + i;
    }

    private static String boundId(String jobId) {
        return "j:" + jobId;
    }
}
