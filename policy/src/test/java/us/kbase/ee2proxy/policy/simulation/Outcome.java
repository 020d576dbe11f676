package us.kbase.ee2proxy.policy.simulation;

/** A simulation run's result: {@code violation} null when every invariant held to the end. */
record Outcome(Violation violation, String detail, int admitted, int refused, int holds, int aged, int deepest,
        int finishedAt) {

    boolean ok() {
        return violation == null;
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
        /** A child refused: children never fail because they were held. */
        CHILD_REFUSED,
        /** The decision and the atomic ledger check disagree. */
        DEMAND_DISAGREES
    }
}
