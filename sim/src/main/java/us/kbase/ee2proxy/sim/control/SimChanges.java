package us.kbase.ee2proxy.sim.control;

import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;

/**
 * What changed in the scheduler since a watcher last asked ({@code ee2sim.changes}): the same
 * header as {@link SimSnapshot}, but only the jobs that changed after {@code since}, and the
 * {@code version} to ask from next time. Merged by job id over the jobs seen before, they give
 * the whole state, at the cost of what moved rather than of every job on each poll.
 *
 * @param now epoch millis at the simulator
 * @param lastChange epoch millis of the last job state change
 * @param since the version asked from (0: every job)
 * @param version the scheduler's change count now
 * @param speed the run's speed (simulated seconds per real second)
 * @param slots the default per-user limit
 * @param slotOverrides per-user limits
 * @param capacity the cluster-wide limit
 * @param jobs the jobs changed after {@code since}, oldest first
 */
public record SimChanges(long now, long lastChange, long since, long version, double speed, int slots,
                         Map<String, Integer> slotOverrides, int capacity, List<JobSnapshot> jobs) {}
