package us.kbase.ee2proxy.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * What Redis last said about each user this replica served, kept current by what this replica
 * sees while Redis is down: a job it bound finishing, a ticket failing. During an outage the local
 * ledger decides on top of this baseline, so the caps keep holding for the leases Redis holds (a
 * user with 5 parents in Redis gets no 6th during the outage). What it cannot see (a job another
 * replica admitted, or one finishing on another replica) stays as last seen: stale high, so the
 * outage errs on holding rather than on admitting past a cap.
 */
final class OutageBaseline {
    private record KnownJob(String user, SlotClaim claim) {}

    /** Counts Redis stated at {@code redisMicros}, adjusted by what this replica saw since. */
    private record Seen(UserCounts counts, long redisMicros) {}

    private final Cache<String, Seen> lastSeen;
    private final Cache<String, KnownJob> knownJobs;

    OutageBaseline(Duration forgetAfter, Duration jobLifetime) {
        this.lastSeen = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(forgetAfter).build();
        this.knownJobs = Caffeine.newBuilder().maximumSize(1_000_000).expireAfterWrite(jobLifetime).build();
    }

    /**
     * Redis stated these counts at {@code redisMicros} (its own clock). An answer older than the one
     * kept (replies complete out of order) changes nothing.
     */
    void seen(String user, UserCounts counts, long redisMicros) {
        lastSeen.asMap().merge(user, new Seen(counts, redisMicros),
                (kept, now) -> now.redisMicros >= kept.redisMicros ? now : kept);
    }

    /** This replica bound (or adopted) the job in Redis: its finish can be subtracted. */
    void bound(String user, String jobId, SlotClaim claim) {
        knownJobs.put(jobId, new KnownJob(user, claim));
    }

    /**
     * The claim of a job known here as the user's parent (this replica bound or adopted it, or Redis
     * named it a parent): while Redis is down, a child naming it is still a child.
     */
    Optional<SlotClaim> parentClaim(String user, String jobId) {
        KnownJob job = knownJobs.getIfPresent(jobId);
        return job != null && job.user.equals(user) && job.claim.parent() ? Optional.of(job.claim) : Optional.empty();
    }

    /** The owner of a job this replica bound, or null. */
    String ownerOf(String jobId) {
        KnownJob job = knownJobs.getIfPresent(jobId);
        return job == null ? null : job.user;
    }

    /** Called while Redis is down: a job Redis holds has finished. */
    void jobReleased(String jobId) {
        KnownJob job = knownJobs.asMap().remove(jobId);
        if (job != null) {
            add(job.user, List.of(job.claim), -1);
        }
    }

    /** A job is gone in Redis too (release seen while Redis answered). */
    void forget(String jobId) {
        knownJobs.invalidate(jobId);
    }

    /** Called while Redis is down: claims Redis holds are gone (-1) or now held there (+1). */
    void add(String user, List<SlotClaim> claims, int sign) {
        lastSeen.asMap().compute(user, (u, kept) -> {
            Seen base = kept == null ? new Seen(UserCounts.ZERO, 0) : kept;
            return new Seen(plus(base.counts, claims, sign), base.redisMicros);
        });
    }

    UserCounts of(String user) {
        Seen seen = lastSeen.getIfPresent(user);
        return seen == null ? UserCounts.ZERO : seen.counts;
    }

    /** The demand with its limits lowered by the baseline, for the local ledger to check. */
    static SlotDemand beyond(SlotDemand demand, UserCounts base) {
        return new SlotDemand(demand.claims(), lower(demand.parentLimit(), base.parents()),
                lower(demand.jobLimit(), base.jobs()));
    }

    static UserCounts sum(UserCounts a, UserCounts b) {
        Map<String, Integer> byApp = new HashMap<>(a.parentsByApp());
        b.parentsByApp().forEach((app, n) -> byApp.merge(app, n, Integer::sum));
        return new UserCounts(a.parents() + b.parents(), a.jobs() + b.jobs(), byApp);
    }

    private static int lower(int limit, int taken) {
        return limit == SlotDemand.UNLIMITED ? limit : limit - taken;
    }

    static UserCounts plus(UserCounts counts, List<SlotClaim> claims, int sign) {
        int parents = counts.parents();
        Map<String, Integer> byApp = new HashMap<>(counts.parentsByApp());
        for (SlotClaim claim : claims) {
            if (claim.parent()) {
                parents += sign;
                byApp.merge(claim.app(), sign, Integer::sum);
            }
        }
        byApp.values().removeIf(n -> n <= 0);
        return new UserCounts(Math.max(0, parents), Math.max(0, counts.jobs() + sign * claims.size()), byApp);
    }
}
