package us.kbase.ee2proxy.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The job index: one key per job ({@link LedgerKeys#jobOwner}) naming its owner, for releases by
 * job id alone (a terminal state in any reply, an admin's finish). Each key is in its job's own
 * slot, so on a Cluster these are calls of their own; on one node the lease scripts touch the same
 * keys themselves (bind.lua, release.lua, finish.lua).
 */
final class JobOwners {
    static final LedgerScript OWNER_INDEX =
            LedgerScript.ownerScript("owner_index", RScript.Mode.READ_WRITE, RScript.ReturnType.LONG);
    static final LedgerScript OWNER_RELEASE =
            LedgerScript.ownerScript("owner_release", RScript.Mode.READ_WRITE, RScript.ReturnType.VALUE);
    /** What owner_release.lua leaves in a job's owner key for a job released before it was owned. */
    private static final String GONE = "\0gone";

    private final RedissonClient redis;
    private final RScript script;
    private final LedgerKeys keys;
    private final TimedCalls calls;

    JobOwners(RedissonClient redis, RScript script, LedgerKeys keys, TimedCalls calls) {
        this.redis = redis;
        this.script = script;
        this.keys = keys;
        this.calls = calls;
    }

    /** The job's owner; empty when none is known (or it was released before it was owned). */
    CompletionStage<Optional<String>> ownerOf(String jobId) {
        return calls.timed("owner", () -> redis.<String>getBucket(keys.jobOwner(jobId), StringCodec.INSTANCE).getAsync())
                .thenApply(owner -> owner == null || owner.equals(GONE) ? Optional.<String>empty() : Optional.of(owner));
    }

    /**
     * A finished job's owner, or null when none is known: then the job is marked gone, so that a
     * bind arriving after the finish frees it (owner_release.lua).
     */
    CompletionStage<String> ownerOfFinished(String jobId, String tombstoneMillis) {
        return calls.timed("owner", () -> OWNER_RELEASE.<String>run(script, List.of(keys.jobOwner(jobId)), tombstoneMillis));
    }

    /** Records {@code user} as the job's owner; false (nothing recorded) when it was released first. */
    CompletionStage<Boolean> record(String jobId, String user, String ttlMillis) {
        return calls.timed("owner", () -> OWNER_INDEX.<Long>run(script, List.of(keys.jobOwner(jobId)), user, ttlMillis))
                .thenApply(recorded -> recorded == 1);
    }

    /**
     * Records {@code user} as each job's owner; answers the jobs found released by id before this
     * (a quick job's finish passing its run_job reply), whose new leases {@code release} frees.
     */
    CompletionStage<List<String>> recordAll(String user, List<String> jobIds, String ttlMillis,
            BiFunction<String, String, CompletionStage<Boolean>> release) {
        if (jobIds.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<CompletableFuture<Boolean>> released = new ArrayList<>(jobIds.size());
        for (String jobId : jobIds) {
            released.add(record(jobId, user, ttlMillis).thenCompose(recorded -> recorded
                    ? CompletableFuture.completedFuture(false)
                    : release.apply(user, jobId).thenApply(freed -> true)).toCompletableFuture());
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < jobIds.size(); i++) {
                if (released.get(i).join()) {
                    gone.add(jobIds.get(i));
                }
            }
            return gone;
        });
    }

    /** Deletes the job's owner key once its lease is released. */
    CompletionStage<Boolean> forget(String jobId) {
        return calls.timed("owner", () -> redis.getBucket(keys.jobOwner(jobId), StringCodec.INSTANCE).deleteAsync());
    }
}
