package us.kbase.ee2proxy.policy.simulation;

import java.util.List;

/** What a simulated user submits: the shape of KBase work, not yet a call. */
sealed interface Work {

    /** Stands for "the module of the parallel app that submits me" (KBParallel's copies of itself). */
    String SAME_MODULE = "<same>";

    /** A job that runs {@code seconds} and finishes by itself. */
    record Leaf(String app, int seconds) implements Work {}

    /**
     * A KBParallel-style app: when running, submits {@code children} in order keeping at most
     * {@code concurrency} outstanding (a held submission blocks it, as KBParallel's HTTP call does),
     * and finishes one second after the last of them.
     */
    record ParallelApp(String app, int concurrency, List<Work> children) implements Work {
        public ParallelApp {
            children = List.copyOf(children);
        }
    }

    /** A {@code run_job_batch}: every member is queued at once; the container takes no slot. */
    record Batch(List<Work> members) implements Work {
        public Batch {
            members = List.copyOf(members);
        }
    }

    /** A top-level submission by {@code user} at second {@code at}. */
    record Arrival(int at, String user, Work work) {}
}
