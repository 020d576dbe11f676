package us.kbase.ee2proxy.ledger;

import java.net.URI;
import java.time.Duration;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Redisson clients for ledger tests: one per simulated replica. */
final class LedgerRedis {
    private LedgerRedis() {}

    static RedissonClient client(URI uri, Duration timeout) {
        Config config = new Config();
        config.setLazyInitialization(true);
        config.useSingleServer()
                .setAddress(uri.toString())
                .setTimeout((int) timeout.toMillis())
                .setConnectTimeout((int) Math.max(timeout.toMillis(), 100))
                .setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(4);
        config.setThreads(2).setNettyThreads(4);
        return Redisson.create(config);
    }
}
