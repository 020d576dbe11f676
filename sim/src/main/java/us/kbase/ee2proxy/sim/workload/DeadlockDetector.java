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
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Orphan;

/**
 * Finds the deadlock pattern in one snapshot, nesting included: a running parent whose only
 * unfinished children are other stuck running parents is stuck too. It is only a verdict together with the runner's
 * quiet period: a full set of waiting parents is a deadlock only if nothing has moved for a while.
 *
 * <p>Also the other harm a run can do to parallel apps: apps failed because a child's run_job
 * got an error reply, and the orphans they (or cancelled parents) leave behind. A child is known
 * by {@link JobSnapshot#parent()}: the simulated app that spawned it, since KBParallel's children
 * carry no {@code parent_job_id}.
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
            if (j.parent() != null) {
                unfinishedChildren.computeIfAbsent(j.parent(), k -> new ArrayList<>()).add(j);
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

    /** Parallel apps that failed because a child's run_job was answered with an error, oldest first. */
    public static List<JobSnapshot> failedByRefusal(SimSnapshot snap) {
        return snap.jobs().stream().filter(j -> j.childRefusal() != null && j.finishedState()).toList();
    }

    /**
     * Children whose parallel app ended while they were still unfinished (or not yet created: a
     * run_job a proxy answered after the app ended): they run on alone, since nothing cancels a
     * KBParallel child. A child that finished in the app's last millisecond is not one.
     */
    public static List<Orphan> orphans(SimSnapshot snap) {
        Map<String, JobSnapshot> byId = new HashMap<>();
        snap.jobs().forEach(j -> byId.put(j.jobId(), j));
        List<Orphan> out = new ArrayList<>();
        for (JobSnapshot c : snap.jobs()) {
            JobSnapshot p = c.parent() == null ? null : byId.get(c.parent());
            if (p == null || !p.finishedState() || c.finishedState() && c.finished() <= p.finished()) {
                continue;
            }
            out.add(new Orphan(c.jobId(), c.user(), c.app(), c.status().wire(), p.jobId(), p.app(), p.status().wire()));
        }
        return out;
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
