package us.kbase.ee2proxy.policy;

/** What happens to a parallel app that arrives while the user is at the parent cap. */
public enum WhenFull {
    /** Hold the call up to {@code parents.maxWait}; refuse it if no parent slot opened by then. */
    HOLD,
    /** Refuse the call at once. */
    REFUSE
}
