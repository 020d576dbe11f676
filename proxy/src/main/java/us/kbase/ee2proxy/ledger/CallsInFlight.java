package us.kbase.ee2proxy.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * The job-creating calls this replica admitted and has not yet bound or released: the claims of
 * each ticket. What the job may be, kept so that a lease Redis lost can be written again (rules 2
 * and 3 of {@link Outage}): a bind that finds no provisional lease adopts each job with its claim,
 * and a rebuild takes the provisional leases of these calls again.
 *
 * <p>Entries expire after twice the provisional lease: by then Redis has dropped the lease anyway,
 * and a call that never came back (its replica's client vanished without a release) must not pin
 * memory.
 */
final class CallsInFlight {
    private record UserTicket(String user, String ticket) {}

    private final Cache<UserTicket, List<SlotClaim>> claims;
    private final RedisSlotLedger shared;

    CallsInFlight(RedisSlotLedger shared, LeaseTerms terms) {
        this.shared = shared;
        this.claims = Caffeine.newBuilder().expireAfterWrite(terms.provisional().multipliedBy(2)).build();
    }

    /** The ticket's claims were taken (admitted): kept until it is bound or released. */
    void admitted(String user, String ticket, List<SlotClaim> taken) {
        claims.put(new UserTicket(user, ticket), taken);
    }

    /** The ticket was bound: its claims, or null when this replica did not admit it (or forgot it). */
    List<SlotClaim> bound(String user, String ticket) {
        return claims.asMap().remove(new UserTicket(user, ticket));
    }

    /** The ticket was released or given back: nothing of it to write again. */
    void released(String user, String ticket) {
        claims.invalidate(new UserTicket(user, ticket));
    }

    /**
     * Binds the ticket's leases; a job the bind did not find a provisional lease for (it expired,
     * or Redis lost it) is adopted with its claim: the job exists, so its lease must. Adopt keeps a
     * released job released. {@code taken} is what {@link #bound} answered.
     */
    CompletionStage<List<String>> keepBound(String user, String ticket, List<String> jobIds, List<SlotClaim> taken) {
        return shared.bind(user, ticket, jobIds).thenCompose(bound -> {
            if (taken == null || bound.size() >= Math.min(jobIds.size(), taken.size())) {
                return CompletableFuture.completedFuture(bound);
            }
            List<String> all = new ArrayList<>(bound);
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < Math.min(jobIds.size(), taken.size()); i++) {
                String jobId = jobIds.get(i);
                SlotClaim claim = taken.get(i);
                if (!bound.contains(jobId)) {
                    chain = chain.thenCompose(done -> shared.adopt(user, jobId, claim).thenAccept(added -> {
                        if (added) {
                            all.add(jobId);
                        }
                    }));
                }
            }
            return chain.thenApply(done -> all);
        });
    }

    /**
     * Takes the provisional lease of every call in flight again under its ticket, without limits
     * (idempotent: a ticket Redis still holds is taken once), one call at a time on the recovery
     * thread. Answers how many. The reconciler's pass finds only the jobs EE2 has created; a
     * run_job still on its way to EE2 would otherwise count nowhere until its answer.
     *
     * <p>A call released (or bound) while its lease was being taken again may have had its
     * release reach Redis first: the ticket is then released once more, after the lease was taken.
     * Its release is sent after the check (it leaves the calls in flight first), so one of the two
     * releases comes after the lease. Releasing a bound call's ticket frees only provisional
     * leases; a bind that then finds none adopts its jobs ({@link #keepBound}).
     */
    int takeAgain() throws Exception {
        int n = 0;
        for (var flight : claims.asMap().entrySet()) {
            UserTicket key = flight.getKey();
            RecoveryThread.await(shared.tryAcquire(key.user(), key.ticket(),
                    new SlotDemand(flight.getValue(), SlotDemand.UNLIMITED, SlotDemand.UNLIMITED)));
            if (!claims.asMap().containsKey(key)) {
                RecoveryThread.await(shared.releaseTicket(key.user(), key.ticket()));
            }
            n++;
        }
        return n;
    }
}
