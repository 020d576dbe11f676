package us.kbase.ee2proxy.resilience;

import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisSentinels;

/**
 * The master holding alice's keys failed over in the middle of twelve-parallel-apps, on a real
 * Redis Cluster and on a real Sentinel set: EE2 never runs more of her parallel apps than the
 * cap, and the workload finishes (see {@link FailoverWorkload}).
 */
class RedisFailoverTest {
    @Test
    void aClusterMasterFailedOver() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            FailoverWorkload.run(cluster.uri(), "cluster-failover",
                    () -> cluster.failOver(cluster.masterOf("{alice}")));
        }
    }

    @Test
    void aSentinelFailover() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            FailoverWorkload.run(sentinels.uri(), "sentinel-failover", sentinels::failOver);
        }
    }
}
