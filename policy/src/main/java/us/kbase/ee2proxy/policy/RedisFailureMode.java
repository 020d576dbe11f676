package us.kbase.ee2proxy.policy;

/**
 * What the proxy does with a job-creating call when the shared (Redis) ledger cannot decide it: a
 * Redis call failed or timed out, this replica still has releases to write back, or Redis lost its
 * data and the counts are being rebuilt from EE2.
 */
public enum RedisFailureMode {
    /**
     * The default, safe with any number of replicas: the call waits at the proxy (its connection
     * open, up to the policy's maxWait for its class) and is decided by Redis once Redis answers;
     * past maxWait it is answered "not submitted" with Retry-After.
     */
    WAIT,
    /**
     * Decide on this replica's own counts, always, and write them behind to Redis (in order, as
     * soon as Redis answers). Only for ONE replica ({@code redis.replicas: 1} is required).
     */
    LOCAL,
    /**
     * Admit every job-creating call while Redis cannot decide (written back to Redis when it
     * answers), as if there were no proxy: the caps do not hold during an outage.
     */
    ADMIT,
    /** Refuse job-creating calls with an EE2-shaped error until Redis decides again. */
    REFUSE
}
