package us.kbase.ee2proxy.policy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The numbers one user's admissions are decided by: the policy's defaults, or an override's.
 *
 * @param slots S: the user's running-job limit in HTCondor (KBase: 10)
 * @param parentsMaxPerUser C_0: unfinished top-level parallel apps a user may have
 * @param parentsMaxNestingDepth the deepest nesting level admitted (0 = no nesting)
 * @param parentsWhenFull hold or refuse a parallel app arriving at the cap
 * @param parentsMaxWait how long a held parallel app waits before it is refused
 * @param childrenMaxQueued how many jobs beyond S a user may have before children are held
 * @param childrenMaxWait how long a child is held before it is admitted anyway (aging)
 * @param childrenReserve slots kept free of children for the user's own jobs: children are held
 *     while the user has {@code slots - reserve + maxQueued} unfinished jobs, so an interactive job
 *     finds a free slot instead of queueing behind children in HTCondor's FIFO (see
 *     {@link #childJobLimit()} for the floor that keeps parallel apps' children moving)
 * @param childrenPerParent how many unfinished jobs one running parallel app may have admitted as
 *     its children at once ({@link ChildBound}); a call beyond it is classified as if it named no
 *     parent. KBase: 50, the real KBParallel's ceiling on {@code concurrent_njsw_tasks}, so that no
 *     KBParallel app is ever affected
 * @param ownJobsMaxQueued how many jobs beyond S a user may have before the user's own new calls
 *     (plain jobs, parallel apps, batches without children) wait at the proxy for a slot to free,
 *     so that EE2's first-come-first-served queue holds none of them ahead of the next one: the
 *     proxy then chooses which goes first ({@code HoldOrder}: the user's own jobs, the app with the
 *     fewest waiting first, then parallel apps, then children). {@link #OWN_JOBS_NEVER_WAIT}: the
 *     user's own calls never wait for a slot (the rules before issue 13's second part)
 * @param ownJobsMaxWait how long a call waits for a slot before it is forwarded anyway (aging): a
 *     plain job is never refused for waiting
 * @param childrenReserveFor how long after the user's own last job-creating call (a plain job, a
 *     parallel app, a batch without children: never a child) the reserve is kept; after that the
 *     user is taken to be away and the reserved slots are lent to children (their job limit is
 *     then {@link #lentChildJobLimit()}) until the user's next own call. {@link #RESERVE_ALWAYS}:
 *     the reserve is always kept (the rule before {@code reserveFor})
 */
public record Limits(
        int slots,
        int parentsMaxPerUser,
        int parentsMaxNestingDepth,
        WhenFull parentsWhenFull,
        Duration parentsMaxWait,
        int childrenMaxQueued,
        Duration childrenMaxWait,
        int childrenReserve,
        int childrenPerParent,
        int ownJobsMaxQueued,
        Duration ownJobsMaxWait,
        Duration childrenReserveFor) {

    /**
     * The real KBParallel keeps at most {@code concurrent_njsw_tasks} children outstanding, and
     * refuses a value above 50 (EE2-PROTOCOL.md, KBParallel).
     */
    public static final int KBPARALLEL_MAX_TASKS = 50;

    /** {@code ownJobsMaxQueued} for "the user's own calls never wait for a slot". */
    public static final int OWN_JOBS_NEVER_WAIT = Integer.MAX_VALUE;

    /** {@code childrenReserveFor} for "the reserve is always kept, never lent" ({@code reserveFor: always}). */
    public static final Duration RESERVE_ALWAYS = ChronoUnit.FOREVER.getDuration();

    /**
     * KBase's defaults: 10 slots, 5 parallel apps, 2 levels of nesting, holds of 10 and 15 minutes;
     * children reach EE2 only while a slot is free for them, and one slot is kept free of children so
     * that a scientist's new job finds a slot at once rather than at the next child's end. The
     * user's own calls never wait for a slot ({@link #OWN_JOBS_NEVER_WAIT}): with them waiting
     * ({@code ownJobs.maxQueued: 0}) the randomized workloads' interactive jobs queued at EE2 no
     * more, but their whole wait was no shorter: each slot turnover then also passes through the
     * proxy (README, "Interactive work first"), so that stays an admin's choice. The reserve is
     * kept for 10 minutes after the user's own last job-creating call and lent to children after
     * that: a kept slot sits idle whenever the scientist sends nothing, and in twelve-parallel-apps
     * it cost a fifth of the children's throughput (makespan +16% to +41%); lent while the user is
     * away, the makespan was the old policy's again with the interactive job still finding a slot
     * at once (README, "The reserve lent while the user is away"). Ten minutes is longer than the
     * gap between one scientist's submissions in a narrative session, and short next to the hours
     * a parallel app's children run.
     */
    public static final Limits KBASE = new Limits(
            10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 0, Duration.ofMinutes(15), 1,
            KBPARALLEL_MAX_TASKS, OWN_JOBS_NEVER_WAIT, Duration.ofMinutes(10), Duration.ofMinutes(10));

    public Limits {
        Objects.requireNonNull(parentsWhenFull, "parentsWhenFull");
        Objects.requireNonNull(parentsMaxWait, "parentsMaxWait");
        Objects.requireNonNull(childrenMaxWait, "childrenMaxWait");
        Objects.requireNonNull(ownJobsMaxWait, "ownJobsMaxWait");
        Objects.requireNonNull(childrenReserveFor, "childrenReserveFor");
        if (childrenReserveFor.isZero() || childrenReserveFor.isNegative()) {
            throw new IllegalArgumentException("children.reserveFor must be longer than zero, or always");
        }
        if (ownJobsMaxQueued < 0) {
            throw new IllegalArgumentException("ownJobs.maxQueued must be >= 0");
        }
        if (childrenReserve < 0) {
            throw new IllegalArgumentException("children.reserve must be >= 0");
        }
        if (childrenPerParent < 1) {
            throw new IllegalArgumentException("children.perParent must be >= 1");
        }
    }

    /** Limits whose reserve is always kept (as before {@code children.reserveFor}). */
    public Limits(int slots, int parentsMaxPerUser, int parentsMaxNestingDepth, WhenFull parentsWhenFull,
            Duration parentsMaxWait, int childrenMaxQueued, Duration childrenMaxWait, int childrenReserve,
            int childrenPerParent, int ownJobsMaxQueued, Duration ownJobsMaxWait) {
        this(slots, parentsMaxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait, childrenMaxQueued,
                childrenMaxWait, childrenReserve, childrenPerParent, ownJobsMaxQueued, ownJobsMaxWait, RESERVE_ALWAYS);
    }

    /** Limits whose user's own calls never wait for a slot (as before {@code ownJobs}). */
    public Limits(int slots, int parentsMaxPerUser, int parentsMaxNestingDepth, WhenFull parentsWhenFull,
            Duration parentsMaxWait, int childrenMaxQueued, Duration childrenMaxWait, int childrenReserve,
            int childrenPerParent) {
        this(slots, parentsMaxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait, childrenMaxQueued,
                childrenMaxWait, childrenReserve, childrenPerParent, OWN_JOBS_NEVER_WAIT, Duration.ofMinutes(10));
    }

    /** Limits with KBParallel's ceiling as {@code children.perParent}. */
    public Limits(int slots, int parentsMaxPerUser, int parentsMaxNestingDepth, WhenFull parentsWhenFull,
            Duration parentsMaxWait, int childrenMaxQueued, Duration childrenMaxWait, int childrenReserve) {
        this(slots, parentsMaxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait, childrenMaxQueued,
                childrenMaxWait, childrenReserve, KBPARALLEL_MAX_TASKS);
    }

    /** Limits that keep no slot free of children ({@code children.reserve: 0}). */
    public Limits(int slots, int parentsMaxPerUser, int parentsMaxNestingDepth, WhenFull parentsWhenFull,
            Duration parentsMaxWait, int childrenMaxQueued, Duration childrenMaxWait) {
        this(slots, parentsMaxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait, childrenMaxQueued,
                childrenMaxWait, 0);
    }

    /** These limits with another C_0 (an operator's temporary override of one user's cap). */
    public Limits withParentsMaxPerUser(int maxPerUser) {
        return new Limits(slots, maxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait, childrenMaxQueued,
                childrenMaxWait, childrenReserve, childrenPerParent, ownJobsMaxQueued, ownJobsMaxWait,
                childrenReserveFor);
    }

    /** These limits with another {@code children.reserveFor} ({@link #RESERVE_ALWAYS}: never lent). */
    public Limits withChildrenReserveFor(Duration reserveFor) {
        return new Limits(slots, parentsMaxPerUser, parentsMaxNestingDepth, parentsWhenFull, parentsMaxWait,
                childrenMaxQueued, childrenMaxWait, childrenReserve, childrenPerParent, ownJobsMaxQueued, ownJobsMaxWait,
                reserveFor);
    }

    /** Whether the reserve is kept whatever the user does ({@code reserveFor: always}, or no reserve to lend). */
    public boolean reserveNeverLent() {
        return childrenReserveFor.equals(RESERVE_ALWAYS) || childJobLimit() == lentChildJobLimit();
    }

    /** {@code children.reserveFor} as the policy file writes it: "always", or e.g. "10m". */
    public String reserveForText() {
        return childrenReserveFor.equals(RESERVE_ALWAYS) ? "always" : DurationText.compact(childrenReserveFor);
    }

    /** C_d = C_0 + d: the parent cap for a parallel app at nesting depth d. */
    public int parentCap(int depth) {
        return parentsMaxPerUser + depth;
    }

    /**
     * S - children.reserve + children.maxQueued: a child is admitted while the user has fewer
     * unfinished jobs. Never below C_maxNestingDepth + 1: with every parallel app the caps allow
     * waiting, one child still fits, so the reserve can slow parallel apps but never stall them.
     */
    public int childJobLimit() {
        return childJobLimit(childrenReserve);
    }

    /**
     * S + children.maxQueued: the child job limit while the reserve is lent (the user sent no own
     * call within {@code children.reserveFor}); the same floor as {@link #childJobLimit()}.
     */
    public int lentChildJobLimit() {
        return childJobLimit(0);
    }

    private int childJobLimit(int reserve) {
        long limit = (long) slots - reserve + childrenMaxQueued;
        long floor = (long) parentCap(parentsMaxNestingDepth) + 1;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(limit, floor));
    }

    /**
     * S + ownJobs.maxQueued: a user's own call (not a child) reaches EE2 while the user has fewer
     * unfinished jobs; {@link SlotDemand#UNLIMITED} when they never wait. Never below
     * C_maxNestingDepth + 1, as {@link #childJobLimit()}.
     */
    public int ownJobLimit() {
        if (ownJobsMaxQueued == OWN_JOBS_NEVER_WAIT) {
            return SlotDemand.UNLIMITED;
        }
        long limit = (long) slots + ownJobsMaxQueued;
        long floor = (long) parentCap(parentsMaxNestingDepth) + 1;
        return (int) Math.min(SlotDemand.UNLIMITED - 1L, Math.max(limit, floor));
    }
}
