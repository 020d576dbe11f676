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
        Deadlock deadlock) {

    public enum Verdict { FINISHED, DEADLOCK, STALLED, TIMEOUT }

    /** Percentiles (nearest rank) over {@code n} jobs, simulated seconds. */
    public record Stats(int n, double p50, double p95, double max) {
        static final Stats NONE = new Stats(0, 0, 0, 0);
    }

    public record ClassStats(String jobClass, int jobs, int finished, Stats waitSeconds, Stats turnaroundSeconds) {}

    public record UnfinishedJob(String jobId, String user, String app, String status, String jobClass) {}

    public record Rejection(String user, String app, String jobClass, String message) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public boolean allFinished() {
        return verdict == Verdict.FINISHED;
    }

    public boolean deadlocked() {
        return verdict == Verdict.DEADLOCK;
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
        sb.append(String.format(Locale.ROOT, "verdict   %s: %s%n", verdict, reason));
        sb.append(String.format(Locale.ROOT, "jobs      %d, finished %d, unfinished %d, rejected %d%n",
                jobs, finished, unfinished.size(), rejected.size()));
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
            unfinished.stream().limit(50).forEach(u -> sb.append(String.format(Locale.ROOT, "  %s  %-10s %-9s %-12s %s%n",
                    u.jobId(), u.user(), u.status(), u.jobClass(), u.app())));
            if (unfinished.size() > 50) {
                sb.append("  ... and ").append(unfinished.size() - 50).append(" more\n");
            }
        }
        if (!rejected.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nrejected submissions:%n"));
            rejected.stream().limit(20).forEach(r -> sb.append(String.format(Locale.ROOT, "  %-10s %-12s %s: %s%n",
                    r.user(), r.jobClass(), r.app(), r.message())));
        }
        return sb.toString();
    }
}
