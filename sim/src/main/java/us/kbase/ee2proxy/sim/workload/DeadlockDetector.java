package us.kbase.ee2proxy.sim.workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;

/**
 * Finds the deadlock pattern in one snapshot, nesting included: a running parent whose only
 * unfinished children are other stuck running parents is stuck too. It is only a verdict together with the runner's
 * quiet period: a full set of waiting parents is a deadlock only if nothing has moved for a while.
 */
public final class DeadlockDetector {
    private DeadlockDetector() {}

    /** The first user (by name) whose slots are all held by parents waiting on queued children. */
    public static Optional<Deadlock> find(SimSnapshot snap) {
        Map<String, List<JobSnapshot>> unfinishedChildren = new HashMap<>();
        Map<String, List<JobSnapshot>> runningByUser = new HashMap<>();
        for (JobSnapshot j : snap.jobs()) {
            if (j.finishedState() || j.batchContainer()) {
                continue;
            }
            if (j.parentJobId() != null) {
                unfinishedChildren.computeIfAbsent(j.parentJobId(), k -> new ArrayList<>()).add(j);
            }
            if (j.holdsSlot() && j.slotUser() != null) {
                runningByUser.computeIfAbsent(j.slotUser(), k -> new ArrayList<>()).add(j);
            }
        }
        return runningByUser.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> stuck(e.getKey(), e.getValue(), snap.slotsOf(e.getKey()), unfinishedChildren))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /**
     * Stuck when every running job of the user is a parent with unfinished children, each of
     * which is queued or is itself one of those running parents (nesting): none of them can
     * finish before a queued job starts, and none can start while they hold every slot.
     */
    private static Optional<Deadlock> stuck(String user, List<JobSnapshot> running, int slots,
                                            Map<String, List<JobSnapshot>> unfinishedChildren) {
        if (running.size() < slots) {
            return Optional.empty();
        }
        Set<String> runningIds = new HashSet<>();
        running.forEach(j -> runningIds.add(j.jobId()));
        List<String> parents = new ArrayList<>();
        List<String> apps = new ArrayList<>();
        List<String> children = new ArrayList<>();
        for (JobSnapshot p : running) {
            List<JobSnapshot> kids = unfinishedChildren.getOrDefault(p.jobId(), List.of());
            if (kids.isEmpty()) {
                return Optional.empty(); // a job that finishes by itself holds this slot
            }
            for (JobSnapshot k : kids) {
                if (k.holdsSlot() && !runningIds.contains(k.jobId())) {
                    return Optional.empty(); // a child runs elsewhere (another slot user): it can move
                }
                if (!k.holdsSlot()) {
                    children.add(k.jobId());
                }
            }
            parents.add(p.jobId());
            apps.add(p.app());
        }
        children.sort(null);
        return Optional.of(new Deadlock(user, slots, parents, apps, children));
    }
}
