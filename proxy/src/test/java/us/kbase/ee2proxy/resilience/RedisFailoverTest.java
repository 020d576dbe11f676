package us.kbase.ee2proxy.resilience;

import java.util.List;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.redis.RedisCluster;
import us.kbase.ee2proxy.redis.RedisSentinels;

/**
 * The master holding alice's keys failed over twice in the middle of twelve-parallel-apps, on a
 * real Redis Cluster and on a real Sentinel set: first as an operator does for maintenance, then
 * by killing the new master (SIGKILL). EE2 never runs more of her parallel apps than the cap, and
 * the workload finishes (see {@link FailoverWorkload}).
 */
class RedisFailoverTest {
    @Test
    void aClusterMasterFailedOverThenKilled() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            FailoverWorkload.run(cluster.uri(), "cluster-failover", List.of(
                    () -> cluster.failOver(cluster.masterOf("{alice}")),
                    () -> cluster.killAndAwaitPromotion(cluster.masterOf("{alice}"))));
        }
    }

    @Test
    void aSentinelFailoverThenTheMasterKilled() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            FailoverWorkload.run(sentinels.uri(), "sentinel-failover", List.of(sentinels::failOver, sentinels::killMaster));
        }
    }
}
