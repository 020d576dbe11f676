package us.kbase.ee2proxy.sim.scheduler;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * HTCondor's idle jobs: first in, first out per slot user, and across users the oldest job that
 * could start now goes first. Every operation is O(log n) or per-user, so a benchmark that
 * queues a hundred thousand jobs does not slow each submission down. Guarded by the scheduler's
 * lock.
 */
final class WaitingJobs {
    /** Queue key of jobs that take no user slot. */
    private static final String NO_USER_SLOT = "\u0000none";

    private final Map<String, ArrayDeque<Job>> byUser = new HashMap<>();
    /** The head of each user's queue while that user has a free slot. */
    private final TreeSet<Job> ready = new TreeSet<>(Comparator.comparingLong(j -> j.seq));
    private final Predicate<String> hasFreeSlot;

    /** {@code hasFreeSlot} tells whether a slot user may start one more job. */
    WaitingJobs(Predicate<String> hasFreeSlot) {
        this.hasFreeSlot = u -> u.equals(NO_USER_SLOT) || hasFreeSlot.test(u);
    }

    void add(Job job) {
        String u = key(job);
        byUser.computeIfAbsent(u, k -> new ArrayDeque<>()).addLast(job);
        refresh(u);
    }

    /** Takes a job out of the queue (cancelled, or started by its runner). */
    void remove(Job job) {
        String u = key(job);
        ArrayDeque<Job> q = byUser.get(u);
        if (q != null && q.remove(job)) {
            ready.remove(job);
            refresh(u);
        }
    }

    /** The oldest job that may start now, out of the queue; null when none may. */
    Job pollReady() {
        Job job = ready.pollFirst();
        if (job != null) {
            byUser.get(key(job)).pollFirst();
        }
        return job;
    }

    /** After a start or a release of this job's user: is the user's next job startable? */
    void refresh(Job job) {
        refresh(key(job));
    }

    /** After the limits changed. */
    void refreshAll() {
        ready.clear();
        for (String u : byUser.keySet().toArray(String[]::new)) {
            refresh(u);
        }
    }

    void clear() {
        byUser.clear();
        ready.clear();
    }

    private void refresh(String u) {
        ArrayDeque<Job> q = byUser.get(u);
        if (q == null) {
            return;
        }
        Job head = q.peekFirst();
        if (head == null) {
            byUser.remove(u);
        } else if (hasFreeSlot.test(u)) {
            ready.add(head);
        } else {
            ready.remove(head);
        }
    }

    private static String key(Job job) {
        String u = job.spec.slotUser();
        return u == null ? NO_USER_SLOT : u;
    }
}
