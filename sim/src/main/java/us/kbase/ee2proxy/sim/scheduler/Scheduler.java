package us.kbase.ee2proxy.sim.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * HTCondor as EE2 uses it: every job carries a concurrency limit named after its slot user, at
 * most {@code slots} of them run at once (CONCURRENCY_LIMIT_DEFAULT), at most {@code capacity}
 * run in the whole pool, and the rest wait, queued, in submission order.
 *
 * <p>State changes take this object's lock (they are short and never do I/O); lookups by id
 * and status reads do not. Whoever gets a job started learns of it through the claim hook,
 * called outside the lock.
 */
public final class Scheduler {
    /** Creation order, then id: the order snapshots list jobs in. */
    public static final Comparator<JobSnapshot> OLDEST_FIRST =
            Comparator.comparingLong(JobSnapshot::created).thenComparing(JobSnapshot::jobId);
    private final LongSupplier clock;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Integer> slotsInUse = new HashMap<>();
    private final WaitingJobs waiting = new WaitingJobs(this::hasFreeSlot);
    private long nextSeq;
    /** Finished jobs, oldest first, so a long benchmark can keep memory bounded. */
    private final ArrayDeque<Job> finishedOrder = new ArrayDeque<>();
    private int keepFinished = Integer.MAX_VALUE;
    private final Map<String, Integer> slotOverrides = new HashMap<>();
    private int defaultSlots;
    private int capacity;
    private int inUse;
    private volatile Consumer<Job> onClaim = j -> {};
    private volatile long lastChange;
    /** Counts every change a {@link JobSnapshot} can show; never goes back, not even on reset. */
    private long version;

    public Scheduler(int defaultSlots, int capacity, LongSupplier clock) {
        this.defaultSlots = defaultSlots;
        this.capacity = capacity;
        this.clock = clock;
        this.lastChange = clock.getAsLong();
    }

    /** Called, outside the lock, for each job HTCondor starts (it now holds a slot). */
    public void onClaim(Consumer<Job> hook) {
        this.onClaim = hook;
    }

    public Job find(String id) {
        return id == null ? null : jobs.get(id);
    }

    /** EE2's run_job: the job is recorded, then queued at once. */
    public Job submit(NewJob spec) {
        List<Job> started;
        Job job;
        synchronized (this) {
            long now = clock.getAsLong();
            job = new Job(JobIds.next(now), spec, now, nextSeq++);
            jobs.put(job.id, job);
            if (!spec.batchContainer()) {
                job.status = JobStatus.QUEUED;
                job.queued = now;
                waiting.add(job);
            }
            touch(job, now);
            started = dispatch();
        }
        announce(started);
        return job;
    }

    /** Records a batch container's children (for check_job_batch). */
    public synchronized void addChildren(Job container, Collection<String> childIds) {
        container.childJobs.addAll(childIds);
    }

    /**
     * A simulated parallel app ({@code parentId}) got {@code child}'s id back from the run_job it
     * sent at {@code sentAt}: the link EE2 itself never records.
     */
    public synchronized void spawned(Job child, String parentId, long sentAt) {
        child.spawnedBy = parentId;
        if (sentAt < child.requested) {
            child.requested = sentAt;
        }
        changed(child);
    }

    /** A simulated parallel app fails because a child's run_job was answered with {@code error}. */
    public synchronized void childRefused(Job parent, String error) {
        if (current(parent) && parent.childRefusal == null) {
            parent.childRefusal = error;
            changed(parent);
        }
    }

    public synchronized void addRetry(Job original, String retryId) {
        original.retryIds.add(retryId);
    }

    /** EE2's start_job (or HTCondor starting the job when no runner reports it). */
    public synchronized void markRunning(Job job) {
        if (!current(job) || (job.status != JobStatus.QUEUED && job.status != JobStatus.ESTIMATING
                && job.status != JobStatus.CREATED)) {
            return;
        }
        long now = clock.getAsLong();
        if (!job.holdsSlot) {
            // Started by its runner before HTCondor's negotiator got to it here: it runs now.
            waiting.remove(job);
            take(job);
            waiting.refresh(job);
        }
        job.status = JobStatus.RUNNING;
        job.running = now;
        touch(job, now);
    }

    /** finish_job, cancel_job, or update_job_status to a terminal state. */
    public boolean finish(Job job, JobStatus terminal, String errorMessage, Integer code, JsonNode output) {
        List<Job> started;
        synchronized (this) {
            if (!current(job) || job.status.isTerminal()) {
                return false;
            }
            long now = clock.getAsLong();
            job.status = terminal;
            job.finished = now;
            job.errorMessage = errorMessage;
            job.jobOutput = output;
            if (terminal == JobStatus.TERMINATED) {
                job.terminatedCode = code;
            } else if (terminal == JobStatus.ERROR) {
                job.errorCode = code;
            }
            if (job.holdsSlot) {
                release(job);
                waiting.refresh(job);
            } else {
                waiting.remove(job);
            }
            touch(job, now);
            retire(job);
            started = dispatch();
        }
        announce(started);
        return true;
    }

    /**
     * Keep at most {@code n} finished jobs; older ones are forgotten (check_job then says not
     * found). EE2 keeps every job; this exists for long benchmarks. Default: keep all.
     */
    public synchronized void keepFinished(int n) {
        this.keepFinished = n;
    }

    private void retire(Job job) {
        if (keepFinished == Integer.MAX_VALUE) {
            return;
        }
        finishedOrder.addLast(job);
        while (finishedOrder.size() > keepFinished) {
            Job old = finishedOrder.pollFirst();
            jobs.remove(old.id, old);
        }
    }

    /** update_job_status to a non-terminal state. */
    public synchronized void setStatus(Job job, JobStatus status) {
        if (current(job) && !job.status.isTerminal()) {
            job.status = status;
            touch(job, clock.getAsLong());
        }
    }

    public synchronized void addLogs(Job job, List<String> lines) {
        job.logLines.addAll(lines);
    }

    public synchronized List<String> logs(Job job) {
        return List.copyOf(job.logLines);
    }

    /** Per-user limit for {@code user} (bill_to_user counts against its own). */
    public synchronized int slotsOf(String user) {
        return slotOverrides.getOrDefault(user, defaultSlots);
    }

    /** New limits; jobs keep their slots, further starts follow the new numbers. */
    public void limits(int defaultSlots, int capacity, Map<String, Integer> overrides) {
        List<Job> started;
        synchronized (this) {
            this.defaultSlots = defaultSlots;
            this.capacity = capacity;
            slotOverrides.clear();
            slotOverrides.putAll(overrides);
            waiting.refreshAll();
            started = dispatch();
        }
        announce(started);
    }

    /** The current limits. */
    public record Limits(int slots, int capacity, Map<String, Integer> overrides) {}

    public synchronized Limits limits() {
        return new Limits(defaultSlots, capacity, Map.copyOf(slotOverrides));
    }

    /** Forgets every job. Jobs still running in simulated parents or runners are orphaned. */
    public synchronized void reset() {
        jobs.clear();
        waiting.clear();
        finishedOrder.clear();
        slotsInUse.clear();
        inUse = 0;
        lastChange = clock.getAsLong();
    }

    public synchronized List<JobSnapshot> snapshot() {
        List<JobSnapshot> out = new ArrayList<>(jobs.size());
        for (Job j : jobs.values()) {
            out.add(j.snapshot());
        }
        out.sort(OLDEST_FIRST);
        return out;
    }

    /** The jobs that changed since {@code since} (a {@link Changes#version()}), oldest first. */
    public record Changes(long version, List<JobSnapshot> jobs) {}

    /**
     * What changed after change count {@code since}: every job whose snapshot would differ from
     * the one it had then (0: every job), and the count to ask from next time. A watcher that
     * polls often pays for what moved, not for every job each time.
     */
    public synchronized Changes changesSince(long since) {
        List<JobSnapshot> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (j.version > since) {
                out.add(j.snapshot());
            }
        }
        out.sort(OLDEST_FIRST);
        return new Changes(version, out);
    }

    /** Epoch millis of the last state change of any job. */
    public long lastChange() {
        return lastChange;
    }

    /** A consistent view of one job for EE2's replies. */
    public synchronized JobRecord record(Job job) {
        return new JobRecord(job.snapshot(), job.spec, job.errorMessage, job.errorCode,
                job.terminatedCode, job.jobOutput, List.copyOf(job.childJobs), List.copyOf(job.retryIds));
    }

    public Collection<Job> all() {
        return jobs.values();
    }

    /** HTCondor's negotiator: start the oldest startable jobs while the pool has room. */
    private List<Job> dispatch() {
        List<Job> started = null;
        while (inUse < capacity) {
            Job job = waiting.pollReady();
            if (job == null) {
                break;
            }
            take(job);
            waiting.refresh(job);
            if (started == null) {
                started = new ArrayList<>();
            }
            started.add(job);
        }
        return started == null ? List.of() : started;
    }

    private boolean hasFreeSlot(String user) {
        return slotsInUse.getOrDefault(user, 0) < slotOverrides.getOrDefault(user, defaultSlots);
    }

    /** False for a job forgotten by {@link #reset()} that a parent or runner still drives. */
    private boolean current(Job job) {
        return jobs.get(job.id) == job;
    }

    private void take(Job job) {
        changed(job);
        job.holdsSlot = true;
        job.claimed = clock.getAsLong();
        inUse++;
        if (job.spec.slotUser() != null) {
            slotsInUse.merge(job.spec.slotUser(), 1, Integer::sum);
        }
    }

    private void release(Job job) {
        if (!job.holdsSlot) {
            return;
        }
        job.holdsSlot = false;
        changed(job);
        inUse--;
        String u = job.spec.slotUser();
        if (u != null) {
            slotsInUse.merge(u, -1, Integer::sum);
        }
    }

    private void touch(Job job, long now) {
        job.updated = now;
        lastChange = now;
        changed(job);
    }

    private void changed(Job job) {
        job.version = ++version;
    }

    private void announce(List<Job> started) {
        Consumer<Job> hook = onClaim;
        for (Job j : started) {
            hook.accept(j);
        }
    }
}
