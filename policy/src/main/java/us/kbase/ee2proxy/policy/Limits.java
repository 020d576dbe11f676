package us.kbase.ee2proxy.policy;

import java.time.Duration;
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
        int childrenPerParent) {

    /**
     * The real KBParallel keeps at most {@code concurrent_njsw_tasks} children outstanding, and
     * refuses a value above 50 (EE2-PROTOCOL.md, KBParallel).
     */
    public static final int KBPARALLEL_MAX_TASKS = 50;

    /**
     * KBase's defaults: 10 slots, 5 parallel apps, 2 levels of nesting, holds of 10 and 15 minutes;
     * children reach EE2 only while a slot is free for them, one slot kept for the user's own jobs.
     */
    public static final Limits KBASE = new Limits(
            10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 0, Duration.ofMinutes(15), 1,
            KBPARALLEL_MAX_TASKS);

    public Limits {
        Objects.requireNonNull(parentsWhenFull, "parentsWhenFull");
        Objects.requireNonNull(parentsMaxWait, "parentsMaxWait");
        Objects.requireNonNull(childrenMaxWait, "childrenMaxWait");
        if (childrenReserve < 0) {
            throw new IllegalArgumentException("children.reserve must be >= 0");
        }
        if (childrenPerParent < 1) {
            throw new IllegalArgumentException("children.perParent must be >= 1");
        }
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
                childrenMaxWait, childrenReserve, childrenPerParent);
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
        long limit = (long) slots - childrenReserve + childrenMaxQueued;
        long floor = (long) parentCap(parentsMaxNestingDepth) + 1;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(limit, floor));
    }
}
