package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Locale;

/**
 * What a workload run did. Times are simulated seconds (real time times the run's speed).
 *
 * @param verdict FINISHED (every job reached a final state), DEADLOCK (the pattern held for the
 *     quiet period), STALLED (nothing moved for the stall period), TIMEOUT
 * @param reason one sentence for people
 * @param makespanSeconds first submission to last finish (or to the verdict)
 * @param wallSeconds real seconds the run took
 * @param jobs jobs EE2 created for the run (batch containers excluded)
 * @param classes per class: wait (queued to running) and turnaround (submitted to finished)
 * @param unfinished jobs not in a final state at the end
 * @param rejected submissions EE2 (or a proxy) answered with an error
 * @param deadlock set when the verdict is DEADLOCK
 * @param appsFailedByRefusal parallel apps that failed because a child's run_job got an error
 *     reply (a proxy's refusal, EE2's error, a broken connection): KBParallel re-raises it, so
 *     the scientist's whole app fails. Through a proxy this must stay empty.
 * @param orphans child jobs whose parallel app ended while they were waiting to be created,
 *     queued or running: nothing cancels them (EE2 keeps no link from a KBParallel parent)
 * @param unansweredCalls the run's own calls (submissions, retries, cancels) still unanswered at
 *     the verdict, with when each was sent (epoch millis)
 * @param anatomy what each interactive job waited behind and how the users' slots were used, or
 *     null (reports written before it was measured)
 */
public record WorkloadReport(
        String workload,
        String ee2Url,
        Verdict verdict,
        String reason,
        double makespanSeconds,
        double wallSeconds,
        int jobs,
        int finished,
        List<ClassStats> classes,
        List<UnfinishedJob> unfinished,
        List<Rejection> rejected,
        Deadlock deadlock,
        List<FailedApp> appsFailedByRefusal,
        List<Orphan> orphans,
        List<String> unansweredCalls,
        WaitAnatomy anatomy) {

    /** A report that lists none of the run's own unanswered calls. */
    public WorkloadReport(String workload, String ee2Url, Verdict verdict, String reason, double makespanSeconds,
            double wallSeconds, int jobs, int finished, List<ClassStats> classes, List<UnfinishedJob> unfinished,
            List<Rejection> rejected, Deadlock deadlock, List<FailedApp> appsFailedByRefusal, List<Orphan> orphans) {
        this(workload, ee2Url, verdict, reason, makespanSeconds, wallSeconds, jobs, finished, classes, unfinished,
                rejected, deadlock, appsFailedByRefusal, orphans, List.of(), null);
    }

    public WorkloadReport {
        classes = classes == null ? List.of() : List.copyOf(classes);
        unfinished = unfinished == null ? List.of() : List.copyOf(unfinished);
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
        // Absent from reports written before these were counted.
        appsFailedByRefusal = appsFailedByRefusal == null ? List.of() : List.copyOf(appsFailedByRefusal);
        orphans = orphans == null ? List.of() : List.copyOf(orphans);
        unansweredCalls = unansweredCalls == null ? List.of() : List.copyOf(unansweredCalls);
    }

    public enum Verdict { FINISHED, DEADLOCK, STALLED, TIMEOUT }

    /** Percentiles (nearest rank) over {@code n} jobs, simulated seconds. */
    public record Stats(int n, double p50, double p95, double max) {
        static final Stats NONE = new Stats(0, 0, 0, 0);
    }

    public record ClassStats(String jobClass, int jobs, int finished, Stats waitSeconds, Stats turnaroundSeconds) {}

    /**
     * A job not in a final state at the verdict. {@code calls}: for a stalled or timed-out run, what the
     * simulator's runner and parallel app of this job asked EE2 ({@code ee2sim.job_calls}): its
     * unanswered calls with their age, then its last answered ones, then its loop's last step.
     */
    public record UnfinishedJob(String jobId, String user, String app, String status, String jobClass,
                                List<String> calls) {
        public UnfinishedJob {
            calls = calls == null ? List.of() : List.copyOf(calls);
        }

        public UnfinishedJob(String jobId, String user, String app, String status, String jobClass) {
            this(jobId, user, app, status, jobClass, List.of());
        }
    }

    public record Rejection(String user, String app, String jobClass, String message) {}

    /** A parallel app (job {@code jobId}) failed by the error reply to a child's run_job: {@code error}. */
    public record FailedApp(String jobId, String user, String app, String jobClass, String error) {}

    /**
     * A child left behind: {@code status} at the end of the run, its parallel app
     * {@code parentJobId} ({@code parentApp}) having ended {@code parentStatus}.
     */
    public record Orphan(String jobId, String user, String app, String status, String parentJobId, String parentApp,
                         String parentStatus) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public boolean allFinished() {
        return verdict == Verdict.FINISHED;
    }

    public boolean deadlocked() {
        return verdict == Verdict.DEADLOCK;
    }

    /**
     * The verdict for people, saying so when parallel apps failed by a refused child run_job:
     * "FINISHED, but 5 parallel apps failed: a child's run_job was refused". A run can finish
     * every job and still have failed every scientist's app.
     */
    public String headline() {
        if (appsFailedByRefusal.isEmpty()) {
            return verdict.name();
        }
        int n = appsFailedByRefusal.size();
        return String.format(Locale.ROOT, "%s, but %d parallel app%s failed: a child's run_job was refused", verdict,
                n, n == 1 ? "" : "s");
    }

    public ClassStats classStats(String jobClass) {
        return classes.stream().filter(c -> c.jobClass().equals(jobClass)).findFirst().orElse(null);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The human report: verdict, numbers per class, and what is stuck. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "workload %s via %s%n", workload, ee2Url));
        sb.append(String.format(Locale.ROOT, "verdict   %s: %s%n", headline(), reason));
        sb.append(String.format(Locale.ROOT, "jobs      %d, finished %d, unfinished %d, rejected %d%n",
                jobs, finished, unfinished.size(), rejected.size()));
        sb.append(String.format(Locale.ROOT, "apps      %d failed by a refusal, %d orphaned children%n",
                appsFailedByRefusal.size(), orphans.size()));
        sb.append(String.format(Locale.ROOT, "makespan  %.1f s simulated (%.1f s real)%n%n", makespanSeconds, wallSeconds));
        sb.append(String.format(Locale.ROOT, "%-14s %5s %5s | %9s %9s %9s | %9s %9s %9s%n", "class", "jobs", "done",
                "wait p50", "p95", "max", "turn p50", "p95", "max"));
        for (ClassStats c : classes) {
            sb.append(String.format(Locale.ROOT, "%-14s %5d %5d | %9.1f %9.1f %9.1f | %9.1f %9.1f %9.1f%n",
                    c.jobClass(), c.jobs(), c.finished(), c.waitSeconds().p50(), c.waitSeconds().p95(),
                    c.waitSeconds().max(), c.turnaroundSeconds().p50(), c.turnaroundSeconds().p95(),
                    c.turnaroundSeconds().max()));
        }
        if (deadlock != null) {
            sb.append(String.format(Locale.ROOT, "%nDEADLOCK: user %s has all %d slots held by parents waiting on "
                    + "%d queued children%n", deadlock.user(), deadlock.slots(), deadlock.children().size()));
            for (int i = 0; i < deadlock.parents().size(); i++) {
                sb.append(String.format(Locale.ROOT, "  parent %s  %s%n", deadlock.parents().get(i),
                        deadlock.parentApps().get(i)));
            }
            sb.append("  queued children: ").append(String.join(" ", deadlock.children())).append('\n');
        }
        if (!unfinished.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nunfinished jobs:%n"));
            unfinished.stream().limit(50).forEach(u -> {
                sb.append(String.format(Locale.ROOT, "  %s  %-10s %-9s %-12s %s%n", u.jobId(), u.user(), u.status(),
                        u.jobClass(), u.app()));
                u.calls().forEach(c -> sb.append("      ").append(c).append('\n'));
            });
            if (unfinished.size() > 50) {
                sb.append("  ... and ").append(unfinished.size() - 50).append(" more\n");
            }
        }
        if (!unansweredCalls.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nthe run's own calls unanswered:%n"));
            unansweredCalls.stream().limit(20).forEach(c -> sb.append("  ").append(c).append('\n'));
            if (unansweredCalls.size() > 20) {
                sb.append("  ... and ").append(unansweredCalls.size() - 20).append(" more\n");
            }
        }
        if (!rejected.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nrejected submissions:%n"));
            rejected.stream().limit(20).forEach(r -> sb.append(String.format(Locale.ROOT, "  %-10s %-12s %s: %s%n",
                    r.user(), r.jobClass(), r.app(), r.message())));
        }
        if (!appsFailedByRefusal.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nparallel apps failed by a refused child run_job (KBParallel "
                    + "re-raises the error: the whole app fails):%n"));
            appsFailedByRefusal.stream().limit(20).forEach(f -> sb.append(String.format(Locale.ROOT,
                    "  %s  %-10s %-12s %s: %s%n", f.jobId(), f.user(), f.jobClass(), f.app(), f.error())));
            if (appsFailedByRefusal.size() > 20) {
                sb.append("  ... and ").append(appsFailedByRefusal.size() - 20).append(" more\n");
            }
        }
        if (!orphans.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%norphaned children (their parallel app ended first; nothing "
                    + "cancels them):%n"));
            orphans.stream().limit(20).forEach(o -> sb.append(String.format(Locale.ROOT,
                    "  %s  %-10s %-9s %s  (app %s %s, %s)%n", o.jobId(), o.user(), o.status(), o.app(),
                    o.parentJobId(), o.parentApp(), o.parentStatus())));
            if (orphans.size() > 20) {
                sb.append("  ... and ").append(orphans.size() - 20).append(" more\n");
            }
        }
        return sb.toString();
    }
}
