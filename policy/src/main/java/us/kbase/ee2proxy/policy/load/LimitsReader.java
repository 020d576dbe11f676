package us.kbase.ee2proxy.policy.load;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.load.YamlTree.At;

/**
 * Reads the limit keys that both the top level and each override may set ({@code slots},
 * {@code parents.maxPerUser|maxNestingDepth|whenFull|maxWait}, {@code children.maxQueued|maxWait|reserve|reserveFor|perParent},
 * {@code ownJobs.maxQueued|maxWait})
 * on top of a base, and checks that the resulting combination cannot deadlock.
 */
final class LimitsReader {
    /** The clients (narrative, KBParallel) give up on a call after 1800 s: a hold must end before. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(1800);
    static final int MAX_SLOTS = 10_000;
    /**
     * children.reserveFor's bound: the ledger keeps an own call's mark with the user's keys, whose
     * time to live is the bound leases' (hours); a longer window is {@code always} in effect.
     */
    static final Duration MAX_RESERVE_FOR = Duration.ofHours(24);
    /** The keys the deadlock rule combines. */
    static final Set<String> COMBINATION_KEYS = Set.of("slots", "parents.maxPerUser", "parents.maxNestingDepth");

    private final Set<String> keys = new LinkedHashSet<>();
    private At slotsAt;
    private At maxPerUserAt;
    private At depthAt;

    /** The keys the section set, dotted ("parents.maxPerUser"), in file order. */
    Set<String> keys() {
        return keys;
    }

    /**
     * Reads {@code top}'s limit keys over {@code base}; {@code parents}, {@code children} and
     * {@code ownJobs} are the already-opened sub-sections (or null). Returns the combined limits (a
     * bad key keeps the base).
     */
    Limits read(Section top, Section parents, Section children, Section ownJobs, Limits base) {
        Integer slots = top.integer("slots", 2, MAX_SLOTS,
                "set it to the user's running-job limit in HTCondor (KBase: 10); at least 2");
        slotsAt = mark("slots", slots, top.keyAt("slots"));
        Integer maxPerUser = null;
        Integer depth = null;
        WhenFull whenFull = null;
        Duration parentWait = null;
        if (parents != null) {
            maxPerUser = parents.integer("maxPerUser", 1, Integer.MAX_VALUE,
                    "set it to 1 or more; KBase uses 5 (with 10 slots)");
            maxPerUserAt = mark("parents.maxPerUser", maxPerUser, parents.keyAt("maxPerUser"));
            depth = parents.integer("maxNestingDepth", 0, Integer.MAX_VALUE,
                    "set it to 0 (no parallel app may start another) or more; KBase uses 2");
            depthAt = mark("parents.maxNestingDepth", depth, parents.keyAt("maxNestingDepth"));
            whenFull = parents.choice("whenFull", WhenFull.class);
            mark("parents.whenFull", whenFull, null);
            parentWait = parents.duration("maxWait", CLIENT_TIMEOUT,
                    "KBase clients give up on a call after 30 minutes, so a longer hold only hides a refusal",
                    "use a value between 1s and 29m; KBase uses 10m");
            mark("parents.maxWait", parentWait, null);
        }
        Integer maxQueued = null;
        Duration childWait = null;
        Integer reserve = null;
        Duration reserveFor = null;
        Integer perParent = null;
        if (children != null) {
            reserve = children.integer("reserve", 0, 1_000_000,
                    "set it to 0 (children may take every slot) or more: slots kept free of children for the"
                            + " user's own jobs; KBase uses 1");
            mark("children.reserve", reserve, null);
            reserveFor = children.durationOr("reserveFor", "always", Limits.RESERVE_ALWAYS, MAX_RESERVE_FOR,
                    "a longer window keeps the reserve for a user away that long: write always for that",
                    "how long after the user's own last job the reserve stays free of children (it is lent to them"
                            + " while the user is away), e.g. 10m; always: never lent");
            mark("children.reserveFor", reserveFor, null);
            maxQueued = children.integer("maxQueued", 0, 1_000_000,
                    "set it to 0 or more: how many jobs beyond the slots a user may have queued before children wait");
            mark("children.maxQueued", maxQueued, null);
            childWait = children.duration("maxWait", CLIENT_TIMEOUT,
                    "KBase clients give up on a call after 30 minutes, and a child must be admitted before that",
                    "use a value between 1s and 29m; KBase uses 15m");
            mark("children.maxWait", childWait, null);
            perParent = children.integer("perParent", 1, 1_000_000,
                    "set it to 1 or more: how many unfinished children one running parallel app may have; KBase"
                            + " uses 50, the real KBParallel's ceiling (a lower value can make a KBParallel"
                            + " app's own workers count as parallel apps)");
            mark("children.perParent", perParent, null);
        }
        Integer ownQueued = null;
        Duration ownWait = null;
        if (ownJobs != null) {
            ownQueued = ownJobs.integer("maxQueued", 0, 1_000_000,
                    "set it to 0 (KBase: a user's own jobs reach EE2 only while one of their slots is free, and"
                            + " wait at the proxy otherwise, their newest app first) or more: how many jobs beyond the"
                            + " slots a user may have before their own new jobs wait; 1000000 means they never wait");
            mark("ownJobs.maxQueued", ownQueued, null);
            ownWait = ownJobs.duration("maxWait", CLIENT_TIMEOUT,
                    "KBase clients give up on a call after 30 minutes, and a job waiting for a slot must reach EE2"
                            + " before that",
                    "use a value between 1s and 29m; KBase uses 10m");
            mark("ownJobs.maxWait", ownWait, null);
        }
        return new Limits(
                slots != null ? slots : base.slots(),
                maxPerUser != null ? maxPerUser : base.parentsMaxPerUser(),
                depth != null ? depth : base.parentsMaxNestingDepth(),
                whenFull != null ? whenFull : base.parentsWhenFull(),
                parentWait != null ? parentWait : base.parentsMaxWait(),
                maxQueued != null ? maxQueued : base.childrenMaxQueued(),
                childWait != null ? childWait : base.childrenMaxWait(),
                reserve != null ? reserve : base.childrenReserve(),
                perParent != null ? perParent : base.childrenPerParent(),
                ownQueued != null ? (ownQueued >= 1_000_000 ? Limits.OWN_JOBS_NEVER_WAIT : ownQueued)
                        : base.ownJobsMaxQueued(),
                ownWait != null ? ownWait : base.ownJobsMaxWait(),
                reserveFor != null ? reserveFor : base.childrenReserveFor());
    }

    /**
     * The rule that makes nesting deadlock-free: C_0 + maxNestingDepth <= S - 1, so parents never
     * hold every slot. Reported at the most specific key this section set, else at {@code fallback}.
     */
    void checkCombination(Limits l, String scope, At fallback, Problems problems) {
        long top = (long) l.parentsMaxPerUser() + l.parentsMaxNestingDepth();
        if (top <= l.slots() - 1) {
            return;
        }
        At at = depthAt != null ? depthAt : maxPerUserAt != null ? maxPerUserAt : slotsAt != null ? slotsAt : fallback;
        long depthFix = l.slots() - 1L - l.parentsMaxPerUser();
        long perUserFix = l.slots() - 1L - l.parentsMaxNestingDepth();
        StringBuilder fix = new StringBuilder();
        if (depthFix >= 0) {
            fix.append("lower parents.maxNestingDepth to ").append(depthFix).append(", or ");
        }
        if (perUserFix >= 1) {
            fix.append("lower parents.maxPerUser to ").append(perUserFix).append(", or ");
        }
        if (depthFix < 0 || perUserFix < 1) {
            fix.append("lower both so that maxPerUser + maxNestingDepth <= ").append(l.slots() - 1).append(", or ");
        }
        fix.append("raise slots to ").append(top + 1)
                .append(" (only if HTCondor really runs that many of this user's jobs at once)");
        problems.add(at, scope + "parents.maxPerUser (" + l.parentsMaxPerUser() + ") + parents.maxNestingDepth ("
                + l.parentsMaxNestingDepth() + ") = " + top + " is more than slots - 1 (" + (l.slots() - 1)
                + "): parallel apps could then hold every slot while their children wait, the deadlock"
                + " this proxy exists to prevent", fix.toString());
    }

    private At mark(String key, Object value, At at) {
        if (value != null) {
            keys.add(key);
            return at;
        }
        return null;
    }
}
