package us.kbase.ee2proxy.policy.simulation;

/** A simulation run's result: {@code violation} null when every invariant held to the end. */
record Outcome(Violation violation, String detail, int admitted, int refused, int holds, int aged, int deepest,
        int finishedAt) {

    boolean ok() {
        return violation == null;
    }

    /**
     * Every promise kept, or the one thing no rule can keep: a workload nesting parallel apps deeper
     * than the user's {@code parents.maxNestingDepth}, whose innermost app waits (it is never
     * refused, which would fail the whole app) for a parent to finish when slots - 1 parents run.
     */
    boolean acceptable() {
        return violation == null || violation == Violation.NESTED_TOO_DEEP;
    }

    /** What can go wrong, each a promise of DESIGN.md's admission rules. */
    enum Violation {
        /** Unfinished work, and nothing running that will finish by itself: only a timeout can move it. */
        DEADLOCK,
        /** A parent admitted at depth d while P(u) >= C_d, or more parents than S - 1. */
        PARENT_CAP,
        /** A child admitted before aging while A(u) >= S + children.maxQueued. */
        CHILD_CAP,
        /** A child held longer than children.maxWait. */
        CHILD_HELD_TOO_LONG,
        /**
         * A user's own call that waits only for a slot (a plain job, a batch of plain jobs) held
         * longer than ownJobs.maxWait: it must then be forwarded, never wait on silently.
         */
        OWN_JOB_HELD_TOO_LONG,
        /** A child refused: children never fail because they were held. */
        CHILD_REFUSED,
        /** A call sent by a running parallel app refused: KBParallel then fails the whole app. */
        APP_FAILED,
        /**
         * A parallel app nested deeper than parents.maxNestingDepth waits with slots - 1 parents
         * running and nothing else to finish: the workload needs a policy with more depth.
         */
        NESTED_TOO_DEEP,
        /**
         * A child a running parallel app sent found its parent's children.perParent bound reached:
         * the bound would have classified a real KBParallel child as a plain job or a new parallel app.
         */
        BEYOND_BOUND,
        /** The decision and the atomic ledger check disagree. */
        DEMAND_DISAGREES
    }
}
