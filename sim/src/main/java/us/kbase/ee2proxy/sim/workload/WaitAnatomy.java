package us.kbase.ee2proxy.sim.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;

/**
 * What each interactive job of a run waited behind, and how the run used its users' slots, read
 * from the final snapshot (simulated seconds). A job's kind is its class, except that a child
 * that is itself a parallel app is "nested-app". A job's wait (the client's call to its runner's
 * {@code start_job}) is split in three: before EE2 created it (held at a proxy, or the calls'
 * latency: a loaded machine shows here), queued at EE2 (created to given a slot), and starting
 * (given a slot to its runner's {@code start_job}: latency again). A job holds its slot from when
 * HTCondor gave it one to its end.
 *
 * @param interactive every started interactive job, slowest first
 * @param slotUse the run's slot-seconds, summed over users
 */
public record WaitAnatomy(List<InteractiveWait> interactive, SlotUse slotUse) {
    public WaitAnatomy {
        interactive = List.copyOf(interactive);
    }

    /**
     * One interactive job. {@code queuedAhead}: the same user's jobs EE2 had queued (created, not
     * started) when it was created, which its FIFO starts first; {@code running}: the user's jobs
     * running then; {@code atProxy}: the user's calls waiting at the proxy then, all by kind.
     */
    public record InteractiveWait(String jobId, String user, double beforeEe2, double queuedAtEe2, double starting,
                                  Map<String, Integer> queuedAhead, Map<String, Integer> running,
                                  Map<String, Integer> atProxy) {
        public double waited() {
            return beforeEe2 + queuedAtEe2 + starting;
        }
    }

    /**
     * Slot-seconds over each user's active time (first call to last finish) at S slots each:
     * {@code busy} by kind; {@code idleWhileWaitingAtProxy}: free slots while the user had calls
     * waiting at the proxy or on their way to EE2 (at most one per call); {@code idleWhileQueuedAtEe2}:
     * free slots while EE2 had the user's jobs queued (should be nil: HTCondor starts them at once).
     */
    public record SlotUse(double available, Map<String, Double> busy, double idleWhileWaitingAtProxy,
                          double idleWhileQueuedAtEe2) {}

    static WaitAnatomy of(List<JobSnapshot> jobs, Function<JobSnapshot, String> kind, ToLongFunction<JobSnapshot> sent,
            int slots, long end, double speed) {
        Map<String, List<JobSnapshot>> byUser = new HashMap<>();
        for (JobSnapshot j : jobs) {
            if (!j.batchContainer() && j.slotUser() != null) {
                byUser.computeIfAbsent(j.slotUser(), u -> new ArrayList<>()).add(j);
            }
        }
        List<InteractiveWait> waits = new ArrayList<>();
        Map<String, Double> busy = new TreeMap<>();
        double[] totals = new double[3];
        byUser.forEach((user, own) -> {
            for (JobSnapshot j : own) {
                if ("interactive".equals(kind.apply(j)) && j.running() > 0) {
                    waits.add(interactive(j, own, kind, sent, speed));
                }
                if (slotFrom(j) > 0) {
                    busy.merge(kind.apply(j), seconds(stop(j, end) - slotFrom(j), speed), Double::sum);
                }
            }
            sweep(own, sent, slots, end, speed, totals);
        });
        waits.sort(Comparator.comparingDouble(InteractiveWait::waited).reversed());
        return new WaitAnatomy(waits, new SlotUse(totals[0], busy, totals[1], totals[2]));
    }

    private static InteractiveWait interactive(JobSnapshot j, List<JobSnapshot> own, Function<JobSnapshot, String> kind,
            ToLongFunction<JobSnapshot> sent, double speed) {
        long t = j.created();
        Map<String, Integer> ahead = new TreeMap<>();
        Map<String, Integer> running = new TreeMap<>();
        Map<String, Integer> atProxy = new TreeMap<>();
        for (JobSnapshot o : own) {
            if (o == j) {
                continue;
            }
            if (o.created() > 0 && o.created() < t && (slotFrom(o) == 0 || slotFrom(o) > t) && !ended(o, t)) {
                ahead.merge(kind.apply(o), 1, Integer::sum);
            } else if (slotFrom(o) > 0 && slotFrom(o) <= t && !ended(o, t)) {
                running.merge(kind.apply(o), 1, Integer::sum);
            } else if (sent.applyAsLong(o) <= t && o.created() > t) {
                atProxy.merge(kind.apply(o), 1, Integer::sum);
            }
        }
        return new InteractiveWait(j.jobId(), j.user(), seconds(t - sent.applyAsLong(j), speed),
                seconds(slotFrom(j) - t, speed), seconds(j.running() - slotFrom(j), speed), ahead, running, atProxy);
    }

    /** Integrates, for one user, available, idle-while-waiting-at-proxy and idle-while-queued slot time. */
    private static void sweep(List<JobSnapshot> own, ToLongFunction<JobSnapshot> sent, int slots, long end,
            double speed, double[] totals) {
        TreeMap<Long, int[]> events = new TreeMap<>(); // time -> {running, at proxy, queued at EE2} deltas
        long first = Long.MAX_VALUE;
        long last = 0;
        for (JobSnapshot j : own) {
            long from = sent.applyAsLong(j);
            first = Math.min(first, from);
            last = Math.max(last, stop(j, end));
            long created = j.created() > 0 ? j.created() : end;
            delta(events, from, 1, 1);
            delta(events, created, 1, -1);
            long started = slotFrom(j) > 0 ? slotFrom(j) : stop(j, end);
            delta(events, created, 2, 1);
            delta(events, started, 2, -1);
            if (slotFrom(j) > 0) {
                delta(events, slotFrom(j), 0, 1);
                delta(events, stop(j, end), 0, -1);
            }
        }
        totals[0] += seconds(last - first, speed) * slots;
        int[] now = new int[3];
        Long prev = null;
        for (Map.Entry<Long, int[]> e : events.entrySet()) {
            if (prev != null) {
                int free = Math.max(0, slots - now[0]);
                double dt = seconds(e.getKey() - prev, speed);
                totals[1] += Math.min(free, now[1]) * dt;
                totals[2] += Math.min(free, now[2]) * dt;
            }
            for (int k = 0; k < 3; k++) {
                now[k] += e.getValue()[k];
            }
            prev = e.getKey();
        }
    }

    private static void delta(TreeMap<Long, int[]> events, long at, int which, int by) {
        events.computeIfAbsent(at, k -> new int[3])[which] += by;
    }

    /** When it took its slot: HTCondor's claim, or (a simulator that does not say) its start_job. */
    private static long slotFrom(JobSnapshot j) {
        return j.claimed() > 0 ? j.claimed() : j.running();
    }

    private static boolean ended(JobSnapshot j, long t) {
        return j.finished() > 0 && j.finished() <= t;
    }

    private static long stop(JobSnapshot j, long end) {
        return j.finished() > 0 ? j.finished() : end;
    }

    private static double seconds(long realMillis, double speed) {
        return Math.max(0, realMillis) * speed / 1000.0;
    }
}
