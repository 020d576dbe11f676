package us.kbase.ee2proxy.status;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Matches what EE2 shows of a job's progress (told by job tracking and the reconciler) with the
 * unfinished children {@link LiveState} shows: every user's children by job id, kept in step by
 * {@link UserState} as they are admitted and end, and what was seen of jobs not bound yet
 * ({@link EarlyProgress}). Thread-safe.
 */
final class ChildProgress {
    private final Map<String, UserState.ChildOf> children = new ConcurrentHashMap<>();
    private final EarlyProgress early;
    private final Function<String, UserState> users;

    /** @param users a user's state by name, or null */
    ChildProgress(Function<String, UserState> users, Clock clock) {
        this.users = users;
        this.early = new EarlyProgress(clock);
    }

    /** The index every {@link UserState} keeps its unfinished children in. */
    Map<String, UserState.ChildOf> children() {
        return children;
    }

    /** A child's run_job was admitted now: its job may start before the reply is bound. */
    void childAdmitted() {
        early.childAdmitted();
    }

    /** See {@link LiveState#watches}. */
    boolean watches(String jobId) {
        return children.containsKey(jobId) || early.open();
    }

    /** See {@link LiveState#progress}. */
    void seen(String jobId, String status) {
        if (jobId == null || status == null) {
            return;
        }
        UserState.ChildOf child = children.get(jobId);
        if (child != null) {
            tell(child, jobId, status);
            return;
        }
        early.seen(jobId, status);
        // Bound meanwhile? Then it has taken what was seen before, and this is told now.
        // Not a child (yet): bound later, it takes what was seen.
        UserState.ChildOf boundMeanwhile = children.get(jobId);
        if (boundMeanwhile != null) {
            early.take(jobId).forEach(s -> tell(boundMeanwhile, jobId, s));
        }
    }

    /** Jobs just bound (children among them now indexed): what was seen of them before is applied. */
    void bound(List<String> jobIds) {
        for (String jobId : jobIds) {
            List<String> seen = jobId == null ? List.of() : early.take(jobId);
            UserState.ChildOf child = jobId == null ? null : children.get(jobId);
            if (child != null) {
                seen.forEach(s -> tell(child, jobId, s));
            }
        }
    }

    /** A safety net for the sweep (children leave the index as they end or their app goes). */
    void forgetChildrenOfUsersGone(Predicate<String> known) {
        children.values().removeIf(c -> !known.test(c.user()));
    }

    private void tell(UserState.ChildOf child, String jobId, String status) {
        UserState u = users.apply(child.user());
        if (u != null) {
            u.childSeen(child.parentJobId(), jobId, status);
        }
    }
}
