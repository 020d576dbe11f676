package us.kbase.ee2proxy.policy;

/** What the proxy does with a decision when the shared (Redis) ledger is slow or down. */
public enum RedisFailureMode {
    /** Decide on this replica's local ledger; replay what it admitted into Redis when it returns. */
    LOCAL,
    /** Admit every job-creating call (counted locally, replayed later), as if there were no proxy. */
    ADMIT,
    /** Refuse job-creating calls with an EE2-shaped error until Redis answers again. */
    REFUSE
}
