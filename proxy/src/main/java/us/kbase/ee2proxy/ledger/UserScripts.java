package us.kbase.ee2proxy.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Runs the ledger's scripts on one user's keys ({@link LedgerKeys#userKeys}, plus on one node the
 * generation or owner keys a script also touches), timed and bounded by {@link TimedCalls}. Every
 * script gets the user's name and the release channel as ARGV[1] and ARGV[2] (prelude.lua).
 */
final class UserScripts {
    private final RedissonClient redis;
    private final RScript script;
    private final LedgerKeys keys;
    private final TimedCalls calls;
    private final ReplicaWaits replicas;
    private final Duration callTimeout;

    UserScripts(RedissonClient redis, RScript script, LedgerKeys keys, TimedCalls calls, ReplicaWaits replicas,
            Duration callTimeout) {
        this.redis = redis;
        this.script = script;
        this.keys = keys;
        this.calls = calls;
        this.replicas = replicas;
        this.callTimeout = callTimeout;
    }

    /** A read of the user's keys (no WAIT: it writes nothing that matters). */
    <R> CompletionStage<R> read(LedgerScript ledgerScript, String user, List<Object> args) {
        Object[] argv = argv(user, args);
        return calls.timed(ledgerScript.name(), () -> ledgerScript.run(script, keys.userKeys(user), argv));
    }

    /**
     * A write of leases (acquire, bind, adopt, release), answered only once every replica the
     * client knows for the user's master has it ({@code WAIT}, see {@link ReplicaWaits}): a
     * failover then promotes a replica that has every lease this ledger acknowledged. A replica
     * that does not acknowledge within the call timeout makes the call fail like any Redis failure
     * (the write may have happened on the master; every write is idempotent and the caller makes it
     * again). On a Cluster the owner index and the generation are other calls, not waited for:
     * losing them can only make Redis count more (a release by job id finds no owner) or rebuild
     * once more. On one node they are in the same script as the leases, so waited for with them.
     *
     * @param scriptKeys the user's keys first (the first routes the call on a Cluster)
     */
    <R> CompletionStage<R> write(LedgerScript ledgerScript, List<Object> scriptKeys, String user, List<Object> args) {
        Object[] argv = argv(user, args);
        String routing = (String) scriptKeys.get(0);
        return calls.timed(ledgerScript.name(), () -> ledgerScript.<R>runReplicated(redis, script, StringCodec.INSTANCE,
                replicas.replicasOf(routing), callTimeout, scriptKeys, argv)
                .whenComplete((value, error) -> replicas.learnFromFailure(routing, error)));
    }

    /**
     * As {@link #write}, then {@code GET readKey} in the same batch (one round trip; the read sees
     * Redis after the script). {@code readKey} must be on the user's master.
     */
    <R> CompletionStage<LedgerScript.ThenRead<R>> writeThenGet(LedgerScript ledgerScript, String user,
            List<Object> args, String readKey) {
        Object[] argv = argv(user, args);
        List<Object> userKeys = keys.userKeys(user);
        String routing = (String) userKeys.get(0);
        return calls.timed(ledgerScript.name(), () -> ledgerScript.<R>runThenGet(redis, StringCodec.INSTANCE,
                replicas.replicasOf(routing), callTimeout, readKey, userKeys, argv)
                .whenComplete((value, error) -> replicas.learnFromFailure(routing, error)));
    }

    /** The user's keys and one more (on one node: the generation key, or a job's owner key). */
    static List<Object> withKeys(List<Object> userKeys, String more) {
        List<Object> all = new ArrayList<>(userKeys);
        all.add(more);
        return all;
    }

    private Object[] argv(String user, List<Object> args) {
        Object[] argv = new Object[args.size() + 2];
        argv[0] = user;
        argv[1] = keys.releaseChannel();
        for (int i = 0; i < args.size(); i++) {
            argv[i + 2] = args.get(i);
        }
        return argv;
    }
}
