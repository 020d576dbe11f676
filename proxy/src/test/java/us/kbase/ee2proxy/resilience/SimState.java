package us.kbase.ee2proxy.resilience;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import us.kbase.ee2proxy.sim.Ee2Simulator;
import us.kbase.ee2proxy.sim.scheduler.JobSnapshot;

/** What the simulated EE2 holds now, per user: the truth the ledger is held to. */
final class SimState {
    private SimState() {}

    /** Unfinished jobs that take a user slot (batch containers never do), per slot user. */
    static Map<String, Integer> unfinished(Ee2Simulator sim, Predicate<JobSnapshot> which) {
        Map<String, Integer> counts = new HashMap<>();
        for (JobSnapshot j : unfinishedJobs(sim, which)) {
            counts.merge(j.slotUser(), 1, Integer::sum);
        }
        return counts;
    }

    /** The unfinished jobs that take a user slot and match {@code which}. */
    static List<JobSnapshot> unfinishedJobs(Ee2Simulator sim, Predicate<JobSnapshot> which) {
        return sim.jobs().stream()
                .filter(j -> !j.finishedState() && !j.batchContainer() && j.slotUser() != null && which.test(j))
                .toList();
    }

    static void await(String what, java.time.Duration within, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
