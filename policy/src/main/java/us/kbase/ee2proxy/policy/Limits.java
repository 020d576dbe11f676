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
 */
public record Limits(
        int slots,
        int parentsMaxPerUser,
        int parentsMaxNestingDepth,
        WhenFull parentsWhenFull,
        Duration parentsMaxWait,
        int childrenMaxQueued,
        Duration childrenMaxWait) {

    /** KBase today: 10 slots, 5 parallel apps, 2 levels of nesting, holds of 10 and 15 minutes. */
    public static final Limits KBASE = new Limits(
            10, 5, 2, WhenFull.HOLD, Duration.ofMinutes(10), 10, Duration.ofMinutes(15));

    public Limits {
        Objects.requireNonNull(parentsWhenFull, "parentsWhenFull");
        Objects.requireNonNull(parentsMaxWait, "parentsMaxWait");
        Objects.requireNonNull(childrenMaxWait, "childrenMaxWait");
    }

    /** C_d = C_0 + d: the parent cap for a parallel app at nesting depth d. */
    public int parentCap(int depth) {
        return parentsMaxPerUser + depth;
    }

    /** S + children.maxQueued: a child is admitted while the user has fewer unfinished jobs. */
    public int childJobLimit() {
        return slots + childrenMaxQueued;
    }
}
