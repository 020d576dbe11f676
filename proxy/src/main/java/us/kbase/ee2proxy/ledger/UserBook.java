package us.kbase.ee2proxy.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * One user's leases in {@link InMemorySlotLedger}, the same model as the Redis script: lease ids
 * {@code t:<ticket>:<i>} (provisional) and {@code j:<jobId>} (bound), each with an expiry, plus
 * tombstones of released job ids. Not thread-safe: the ledger locks the book around each step.
 */
final class UserBook {
    private record Lease(SlotClaim claim, long expiresAt) {}

    private final Map<String, Lease> leases = new LinkedHashMap<>();
    private final Map<String, Long> tombstones = new HashMap<>();
    /** Set, under the book's lock, once the ledger dropped this empty book from its map. */
    boolean retired;

    /** Drops expired leases and tombstones; returns the expired leases' job ids (null: provisional). */
    List<String> sweep(long now) {
        List<String> expired = List.of();
        for (Iterator<Map.Entry<String, Lease>> it = leases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Lease> lease = it.next();
            if (lease.getValue().expiresAt <= now) {
                it.remove();
                if (expired.isEmpty()) {
                    expired = new ArrayList<>();
                }
                String id = lease.getKey();
                expired.add(id.startsWith("j:") ? id.substring(2) : null);
            }
        }
        tombstones.values().removeIf(expiry -> expiry <= now);
        return expired;
    }

    boolean acquire(String ticket, SlotDemand demand, long expiresAt) {
        List<SlotClaim> claims = demand.claims();
        if (claims.isEmpty() || leases.containsKey(provisionalId(ticket, 0))) {
            return true;
        }
        if (!demand.fits(counts())) {
            return false;
        }
        for (int i = 0; i < claims.size(); i++) {
            leases.put(provisionalId(ticket, i), new Lease(claims.get(i), expiresAt));
        }
        return true;
    }

    /** Binds claim i to job i; returns the job ids bound. {@code freed[0]} counts released leases. */
    List<String> bind(String ticket, List<String> jobIds, long expiresAt, int[] freed) {
        List<String> bound = new ArrayList<>();
        for (int i = 0; ; i++) {
            Lease lease = leases.remove(provisionalId(ticket, i));
            if (lease == null) {
                return bound;
            }
            String jobId = i < jobIds.size() ? jobIds.get(i) : null;
            if (jobId != null && !tombstones.containsKey(jobId)) {
                leases.put(boundId(jobId), new Lease(lease.claim, expiresAt));
                bound.add(jobId);
            } else {
                freed[0]++;
            }
        }
    }

    int releaseTicket(String ticket) {
        int released = 0;
        while (leases.remove(provisionalId(ticket, released)) != null) {
            released++;
        }
        return released;
    }

    boolean releaseJob(String jobId, long tombstoneUntil) {
        tombstones.put(jobId, tombstoneUntil);
        return leases.remove(boundId(jobId)) != null;
    }

    boolean adopt(String jobId, SlotClaim claim, long expiresAt) {
        if (tombstones.containsKey(jobId)) {
            return false;
        }
        return leases.put(boundId(jobId), new Lease(claim, expiresAt)) == null;
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
        int parents = 0;
        Map<String, Integer> byApp = new HashMap<>();
        for (Lease lease : leases.values()) {
            if (lease.claim.parent()) {
                parents++;
                byApp.merge(lease.claim.app(), 1, Integer::sum);
            }
        }
        return new UserCounts(parents, leases.size(), byApp);
    }

    boolean isEmpty() {
        return leases.isEmpty() && tombstones.isEmpty();
    }

    private static String provisionalId(String ticket, int i) {
        return "t:" + ticket + ":" + i;
    }

    private static String boundId(String jobId) {
        return "j:" + jobId;
    }
}
