package us.kbase.ee2proxy.sim.control;

import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;

/**
 * The scheduler's whole state at one moment ({@code ee2sim.snapshot}).
 *
 * @param now epoch millis at the simulator
 * @param lastChange epoch millis of the last job state change
 * @param speed the run's speed (simulated seconds per real second)
 * @param slots the default per-user limit
 * @param slotOverrides per-user limits
 * @param capacity the cluster-wide limit
 * @param jobs every job, oldest first
 */
public record SimSnapshot(long now, long lastChange, double speed, int slots, Map<String, Integer> slotOverrides,
                          int capacity, List<JobSnapshot> jobs) {

    public int slotsOf(String user) {
        return slotOverrides.getOrDefault(user, slots);
    }
}
