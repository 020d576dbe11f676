package us.kbase.ee2proxy.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.Codec;

/**
 * One Lua script of the ledger (the shared prelude plus its body), run by EVALSHA; only when Redis
 * answers NOSCRIPT (its script cache is empty after a restart or failover) is it sent once with
 * EVAL, which caches it again.
 */
final class LedgerScript {
    private final String name;
    private final String source;
    private final String sha;
    private final RScript.Mode mode;
    private final RScript.ReturnType returnType;

    private LedgerScript(String name, String source, RScript.Mode mode, RScript.ReturnType type) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
        this.mode = mode;
        this.returnType = type;
    }

    /** A script on one job's owner key alone, without the per-user prelude. */
    static LedgerScript ownerScript(String name, RScript.Mode mode, RScript.ReturnType type) {
        return new LedgerScript(name, resource(name + ".lua"), mode, type);
    }

    static LedgerScript load(String name, RScript.Mode mode, RScript.ReturnType type) {
        return new LedgerScript(name, resource("prelude.lua") + "\n" + resource(name + ".lua"), mode, type);
    }

    String name() {
        return name;
    }

    /** The SHA-1 EVALSHA names it by. */
    String sha() {
        return sha;
    }

    /**
     * SCRIPT LOAD on every master the client knows, at start: the first decision then runs by
     * EVALSHA, without a NOSCRIPT round trip. Replicas are not sent it (Redisson loads on masters,
     * and Redis 7 does not replicate SCRIPT LOAD): a replica promoted by a failover gets each
     * script by one EVAL after its first NOSCRIPT ({@link #run}).
     */
    CompletionStage<Void> loadInto(RScript script) {
        return script.scriptLoadAsync(source).thenAccept(loaded -> {
            if (!sha.equalsIgnoreCase(loaded)) {
                throw new IllegalStateException("Redis gave SHA " + loaded + " for ledger script " + name + ", not " + sha);
            }
        });
    }

    /** @param keys the user's keys; the first one routes the call on a cluster */
    <R> CompletionStage<R> run(RScriptAsync script, List<Object> keys, Object... args) {
        String routing = (String) keys.get(0);
        // exceptionallyCompose: the common path (EVALSHA answered) adds no stage of its own.
        return script.<R>evalShaAsync(routing, mode, sha, returnType, keys, args).toCompletableFuture()
                .exceptionallyCompose(error -> isNoScript(error)
                        ? script.<R>evalAsync(routing, mode, source, returnType, keys, args)
                        : CompletableFuture.<R>failedFuture(error));
    }

    /**
     * As {@link #run}, followed on the same connection by {@code WAIT replicas waitFor} (one
     * Redisson batch with {@link BatchOptions#sync}, as Redisson's own locks do): answers only once
     * {@code replicas} replicas have every write the script made, and fails with {@link
     * UnreplicatedWriteException} if fewer had it within {@code waitFor}. WAIT must share the
     * script's connection: it waits for what that connection wrote. {@code replicas} 0: plain
     * {@link #run} on {@code plain}.
     */
    <R> CompletionStage<R> runReplicated(RedissonClient redis, RScriptAsync plain, Codec codec, int replicas,
            Duration waitFor, List<Object> keys, Object... args) {
        if (replicas <= 0) {
            return run(plain, keys, args);
        }
        return this.<R>runThenGet(redis, codec, replicas, waitFor, null, keys, args).thenApply(ThenRead::result);
    }

    /** A script's result and the value of the key read after it ({@link #runThenGet}). */
    record ThenRead<R>(R result, String read) {}

    /**
     * The script, then {@code GET readKey} on the same connection, in one Redisson batch: one round
     * trip, and the read sees Redis after the script (a batch's commands to one master run in
     * order). {@code readKey} must be on the script's master (a Cluster routes a batch's commands
     * by key). With {@code replicas} > 0 the batch ends with WAIT as {@link #runReplicated} does;
     * {@code readKey} null: no read.
     */
    <R> CompletionStage<ThenRead<R>> runThenGet(RedissonClient redis, Codec codec, int replicas, Duration waitFor,
            String readKey, List<Object> keys, Object... args) {
        return this.<R>batch(redis, codec, replicas, waitFor, false, readKey, keys, args).toCompletableFuture()
                .exceptionallyCompose(error -> isNoScript(error)
                        ? this.<R>batch(redis, codec, replicas, waitFor, true, readKey, keys, args)
                        : CompletableFuture.<ThenRead<R>>failedFuture(error));
    }

    private <R> CompletionStage<ThenRead<R>> batch(RedissonClient redis, Codec codec, int replicas, Duration waitFor,
            boolean withSource, String readKey, List<Object> keys, Object... args) {
        String routing = (String) keys.get(0);
        // The batch's own bound covers the script and the WAIT; the caller's guard bounds it all.
        BatchOptions options = BatchOptions.defaults().retryAttempts(0)
                .responseTimeout(waitFor.toMillis() * 2, TimeUnit.MILLISECONDS);
        RBatch batch = redis.createBatch(replicas > 0 ? options.sync(replicas, waitFor) : options);
        RScriptAsync script = batch.getScript(codec);
        RFuture<R> result = withSource
                ? script.evalAsync(routing, mode, source, returnType, keys, args)
                : script.evalShaAsync(routing, mode, sha, returnType, keys, args);
        RFuture<String> read = readKey == null ? null : batch.<String>getBucket(readKey, codec).getAsync();
        return batch.executeAsync().thenCompose(done -> {
            if (replicas > 0 && done.getSyncedSlaves() < replicas) {
                throw new UnreplicatedWriteException(name + ": " + done.getSyncedSlaves() + " of " + replicas
                        + " replicas acknowledged within " + waitFor.toMillis() + " ms", done.getSyncedSlaves());
            }
            return read == null
                    ? result.thenApply(r -> new ThenRead<>(r, null))
                    : result.thenCombine(read, ThenRead::new);
        });
    }

    private static boolean isNoScript(Throwable error) {
        return String.valueOf(rootCause(error).getMessage()).contains("NOSCRIPT");
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String resource(String file) {
        try (InputStream in = LedgerScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing ledger script " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
