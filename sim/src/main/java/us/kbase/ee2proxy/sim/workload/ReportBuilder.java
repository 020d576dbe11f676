package us.kbase.ee2proxy.sim.workload;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import us.kbase.ee2proxy.sim.control.SimSnapshot;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.ClassStats;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.FailedApp;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Stats;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.UnfinishedJob;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/**
 * Turns the final snapshot into a report. A job's class is its submission's, its retried
 * original's, its batch's, or "child" for a parent's child (spawned by a simulated parallel app,
 * or naming a {@code parent_job_id}). Parallel apps failed by a refused child run_job and
 * orphaned children come from {@link DeadlockDetector}. Wait and turnaround count from
 * when the client sent the call that created the job (the runner's own submissions, and the
 * simulator's parents' children), so time held in a proxy counts.
 */
final class ReportBuilder {
    private final Workload w;
    private final URI url;
    private final SimSnapshot snap;
    private final RunTracker tracker;
    private final long t0;
    private final long now;

    ReportBuilder(Workload w, URI url, SimSnapshot snap, RunTracker tracker, long t0, long now) {
        this.w = w;
        this.url = url;
        this.snap = snap;
        this.tracker = tracker;
        this.t0 = t0;
        this.now = now;
    }

    WorkloadReport build(Verdict verdict, String reason, Deadlock deadlock) {
        return build(verdict, reason, deadlock, Map.of());
    }

    /** {@code jobCalls}: what the simulator says each unfinished job asked EE2 ({@code ee2sim.job_calls}). */
    WorkloadReport build(Verdict verdict, String reason, Deadlock deadlock, Map<String, List<String>> jobCalls) {
        Map<String, List<Double>> waits = new TreeMap<>();
        Map<String, List<Double>> turns = new TreeMap<>();
        Map<String, int[]> counts = new TreeMap<>();
        List<UnfinishedJob> unfinished = new ArrayList<>();
        long lastFinish = t0;
        int jobs = 0;
        int finished = 0;
        for (JobSnapshot j : snap.jobs()) {
            if (j.batchContainer()) {
                continue;
            }
            jobs++;
            String c = classOf(j);
            int[] n = counts.computeIfAbsent(c, k -> new int[2]);
            n[0]++;
            long from = tracker.sentAt.getOrDefault(j.jobId(), j.requested());
            if (j.running() > 0) {
                waits.computeIfAbsent(c, k -> new ArrayList<>()).add(sim(j.running() - from));
            }
            if (j.finishedState()) {
                n[1]++;
                finished++;
                lastFinish = Math.max(lastFinish, j.finished());
                turns.computeIfAbsent(c, k -> new ArrayList<>()).add(sim(j.finished() - from));
            } else {
                unfinished.add(new UnfinishedJob(j.jobId(), j.user(), j.app(), j.status().wire(), c,
                        jobCalls.get(j.jobId())));
            }
        }
        List<ClassStats> classes = new ArrayList<>();
        counts.forEach((c, n) -> classes.add(new ClassStats(c, n[0], n[1],
                stats(waits.getOrDefault(c, List.of())), stats(turns.getOrDefault(c, List.of())))));
        long end = verdict == Verdict.FINISHED ? lastFinish : now;
        List<FailedApp> failedApps = DeadlockDetector.failedByRefusal(snap).stream()
                .map(j -> new FailedApp(j.jobId(), j.user(), j.app(), classOf(j), j.childRefusal())).toList();
        return new WorkloadReport(w.name(), url.toString(), verdict, reason, sim(end - t0), (now - t0) / 1000.0,
                jobs, finished, classes, unfinished, List.copyOf(tracker.rejections), deadlock, failedApps,
                DeadlockDetector.orphans(snap), verdict == Verdict.FINISHED ? List.of() : tracker.unanswered(),
                WaitAnatomy.of(snap.jobs(), this::kindOf, j -> tracker.sentAt.getOrDefault(j.jobId(), j.requested()),
                        snap.slots(), end, w.speed()));
    }

    /** Its class, but "nested-app" for a child that is itself a parallel app. */
    private String kindOf(JobSnapshot j) {
        String c = classOf(j);
        return "child".equals(c) && w.profile(j.app()) != null && w.profile(j.app()).isParent() ? "nested-app" : c;
    }

    private String classOf(JobSnapshot j) {
        String c = tracker.classOf.get(j.jobId());
        if (c == null && j.retryOf() != null) {
            c = tracker.classOf.get(j.retryOf());
        }
        if (c == null && j.batchId() != null) {
            c = tracker.classOf.get(j.batchId());
        }
        if (c == null && j.parent() != null) {
            c = "child";
        }
        return c == null ? "other" : c;
    }

    private double sim(long realMillis) {
        return Math.max(0, realMillis) * w.speed() / 1000.0;
    }

    static Stats stats(List<Double> values) {
        if (values.isEmpty()) {
            return Stats.NONE;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return new Stats(v.size(), rank(v, 0.50), rank(v, 0.95), v.get(v.size() - 1));
    }

    /** Nearest-rank percentile. */
    private static double rank(List<Double> sorted, double p) {
        int idx = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
