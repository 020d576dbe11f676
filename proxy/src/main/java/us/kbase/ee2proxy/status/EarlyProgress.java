package us.kbase.ee2proxy.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What EE2 showed of jobs not known as children yet. EE2 can start a child (its runner's
 * start_job passes through the proxy) and even finish it before the child's run_job reply is back
 * and bound; such progress is kept here for {@link #KEEP} and applied when the child is bound.
 * Only while a child's run_job was admitted within {@link #KEEP} ({@link #open()}): otherwise no
 * job's progress is kept. Bounded by {@link #MAX_JOBS}, the oldest forgotten first. Thread-safe.
 */
final class EarlyProgress {
    /** Longer than EE2 takes to answer a run_job, by far. */
    static final Duration KEEP = Duration.ofMinutes(2);
    /** Jobs remembered at most: a few minutes of job starts on a busy deployment. */
    static final int MAX_JOBS = 4096;

    private record Seen(Instant at, List<String> statuses) {}

    private final Clock clock;
    /** Epoch millis; a long, so that {@link #open()} (asked on each runner's start_job) allocates nothing. */
    private volatile long lastChildAdmitted = Long.MIN_VALUE;
    private final Map<String, Seen> jobs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_JOBS;
        }
    };

    EarlyProgress(Clock clock) {
        this.clock = clock;
    }

    /** A child's run_job was admitted now: its job may start before its reply is bound. */
    void childAdmitted() {
        lastChildAdmitted = clock.millis();
    }

    /** Whether a child's run_job was admitted lately (so an unknown job may be one). */
    boolean open() {
        long last = lastChildAdmitted;
        return last != Long.MIN_VALUE && clock.millis() - last < KEEP.toMillis();
    }

    /** {@code jobId}, not known as a child, was seen in {@code status}: kept while {@link #open()}. */
    synchronized void seen(String jobId, String status) {
        if (!open()) {
            return;
        }
        Seen before = jobs.get(jobId);
        List<String> statuses = before == null ? new ArrayList<>(2) : before.statuses();
        if (statuses.size() < 4) { // queued, running, an end: anything more repeats
            statuses.add(status);
        }
        jobs.put(jobId, new Seen(before == null ? clock.instant() : before.at(), statuses));
    }

    /** What was seen of {@code jobId} lately, in order, now forgotten here. */
    synchronized List<String> take(String jobId) {
        Seen s = jobs.remove(jobId);
        if (s == null || s.at().isBefore(clock.instant().minus(KEEP))) {
            return List.of();
        }
        return List.copyOf(s.statuses());
    }
}
