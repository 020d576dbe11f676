package us.kbase.ee2proxy.ledger;

import java.time.Duration;

/**
 * @param keyPrefix first part of every key and of the channel ({@code [A-Za-z0-9_.-]+}); lets
 *     several deployments (or tests) share one Redis
 * @param callTimeout bound on every Redis call (seconds, sized for a job-creating call): past it the
 *     call fails and {@link ResilientLedger} stops deciding until Redis answers again
 * @param terms lease lifetimes
 */
public record RedisLedgerSettings(String keyPrefix, Duration callTimeout, LeaseTerms terms) {
    public static final RedisLedgerSettings DEFAULT =
            new RedisLedgerSettings("ee2proxy", Duration.ofSeconds(2), LeaseTerms.DEFAULT);

    public RedisLedgerSettings {
        new LedgerKeys(keyPrefix);
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
        }
    }

    public RedisLedgerSettings withKeyPrefix(String prefix) {
        return new RedisLedgerSettings(prefix, callTimeout, terms);
    }

    public RedisLedgerSettings withTerms(LeaseTerms newTerms) {
        return new RedisLedgerSettings(keyPrefix, callTimeout, newTerms);
    }

    public RedisLedgerSettings withCallTimeout(Duration timeout) {
        return new RedisLedgerSettings(keyPrefix, timeout, terms);
    }
}
