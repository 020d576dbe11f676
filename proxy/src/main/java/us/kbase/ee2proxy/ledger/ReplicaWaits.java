package us.kbase.ee2proxy.ledger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.connection.MasterSlaveEntry;

/**
 * How many replicas each lease write waits for ({@code WAIT}), by master: see {@link #replicasOf}.
 * A replica promoted by a failover then holds every lease this ledger acknowledged.
 */
final class ReplicaWaits {
    private final RedissonClient redis;
    private final Map<String, Integer> replicasByMaster = new ConcurrentHashMap<>();

    ReplicaWaits(RedissonClient redis) {
        this.redis = redis;
    }

    /**
     * The replicas to wait for on the master holding {@code key}: as many as that master said it
     * had connected at its last acquire ({@code connected_slaves}), or as many as acknowledged the
     * last write that fewer acknowledged than asked (that write failed; a replica gone is then not
     * waited for again, and one back is counted at the next acquire). 1 for a master not heard
     * from yet. One server: none (no failover can promote a copy). Redisson's own count ({@code
     * MasterSlaveEntry.getAvailableSlaves}, what its locks WAIT for) is not used: it stays unknown
     * (-1) unless Redisson's locks ran. A count that is too low only narrows what WAIT protects:
     * the failover that could lose such a write is still seen ({@link MasterWatch}).
     */
    int replicasOf(String key) {
        String master = masterOf(key);
        return master == null ? 0 : replicasByMaster.getOrDefault(master, 1);
    }

    /** What the master holding {@code key} said at an acquire: its connected replicas. */
    void learn(String key, int replicas) {
        String master = masterOf(key);
        if (master != null) {
            replicasByMaster.put(master, replicas);
        }
    }

    /** A write fewer replicas acknowledged than asked: wait for those that did, from now on. */
    void learnFromFailure(String key, Throwable error) {
        Throwable cause = error;
        while (cause != null && !(cause instanceof UnreplicatedWriteException) && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof UnreplicatedWriteException unreplicated) {
            learn(key, unreplicated.acknowledged());
        }
    }

    /**
     * The address of the master Redisson sends {@code key}'s commands to; null on one server, "?"
     * while Redisson does not know the slot's master.
     */
    String masterOf(String key) {
        if (!(redis instanceof Redisson client) || client.getServiceManager().getCfg().isSingleConfig()) {
            return null;
        }
        MasterSlaveEntry entry = client.getCommandExecutor().getConnectionManager().getEntry(key);
        return entry == null || entry.getClient() == null ? "?" : String.valueOf(entry.getClient().getAddr());
    }
}
