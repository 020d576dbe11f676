package us.kbase.ee2proxy.ledger;

import static us.kbase.ee2proxy.ledger.ScriptValues.childPrefix;
import static us.kbase.ee2proxy.ledger.ScriptValues.decode;
import static us.kbase.ee2proxy.ledger.ScriptValues.encode;
import static us.kbase.ee2proxy.ledger.ScriptValues.number;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.redisson.Redisson;
import org.redisson.api.AsyncIterator;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.codec.StringCodec;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.config.RedisTls;
import us.kbase.ee2proxy.policy.ChildBound;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * The ledger shared by every replica, in Redis through Redisson. Each decision is ONE EVALSHA of a
 * Lua script (see the scripts beside this class and {@link LedgerKeys} for the layout) that reads
 * Redis server time, sweeps expired leases, checks and takes. Every call is bounded by the
 * settings' call timeout and fails with {@link LedgerUnavailableException} past it.
 */
public final class RedisSlotLedger implements SlotLedger {

    private static final LedgerScript ACQUIRE = write("acquire", RScript.ReturnType.LIST);
    private static final LedgerScript BIND = write("bind", RScript.ReturnType.LIST);
    private static final LedgerScript RELEASE = write("release", RScript.ReturnType.LONG);
    private static final LedgerScript FINISH = write("finish", RScript.ReturnType.LIST);
    private static final LedgerScript FINISH_OWN = write("finish_own", RScript.ReturnType.LIST);
    private static final LedgerScript ADOPT = write("adopt", RScript.ReturnType.LIST);
    private static final LedgerScript COUNTS = write("counts", RScript.ReturnType.LIST);
    private static final LedgerScript LEASES = write("leases", RScript.ReturnType.LIST);
    private static final LedgerScript PARENT =
            LedgerScript.load("parent", RScript.Mode.READ_ONLY, RScript.ReturnType.VALUE);
    private static final LedgerScript TRACKED =
            LedgerScript.load("tracked", RScript.Mode.READ_ONLY, RScript.ReturnType.LIST);

    /** Every script, for {@link #connectAndLoadScripts}. */
    private static final List<LedgerScript> ALL_SCRIPTS =
            List.of(ACQUIRE, BIND, RELEASE, FINISH, FINISH_OWN, ADOPT, COUNTS, LEASES, PARENT,
                    JobOwners.OWNER_INDEX, JobOwners.OWNER_RELEASE, GenerationKey.GENERATION, TRACKED);

    private final RedissonClient redis;
    private final boolean ownsClient;
    private final RScript script;
    private final LedgerKeys keys;
    /**
     * One server or a Sentinel-managed master: every key is on one node, so a script may touch a
     * user's keys together with the generation key or a job's owner key, and a job costs three
     * round trips (acquire, bind, finish) rather than seven. On a Cluster those keys are in other
     * slots, and each is its own call.
     */
    private final boolean oneNode;
    private final RedisLedgerSettings settings;
    private final String keyTtl;
    private final ReleaseWakeUps wakeUps;
    private final ReplicaWaits replicas;
    private final TimedCalls calls;
    private final JobOwners owners;
    private final UserScripts scripts;
    private final GenerationKey generation;

    /**
     * Connects to the Redis a URL names in any of {@link RedisAddress}'s forms, with the JDK's
     * trust store for TLS (see {@link #connect(RedisAddress, RedisTls, RedisLedgerSettings,
     * MetricRegistry)}).
     */
    public static RedisSlotLedger connect(URI uri, RedisLedgerSettings settings, MetricRegistry metrics) {
        return connect(RedisAddress.parse(uri), RedisTls.DEFAULT, settings, metrics);
    }

    /**
     * Connects to one server, a Cluster or a Sentinel-managed master ({@link RedisClients}), with
     * every call bounded by the settings. Redisson connects lazily, so the proxy starts (and falls
     * back) even while Redis is down; {@link LedgerWarmUp} connects and loads the scripts at start.
     */
    public static RedisSlotLedger connect(RedisAddress address, RedisTls tls, RedisLedgerSettings settings,
            MetricRegistry metrics) {
        return new RedisSlotLedger(RedisClients.create(address, tls, settings.callTimeout()), true, settings, metrics);
    }

    /** Uses a client the caller owns (and closes); it should have short timeouts and no retries. */
    public RedisSlotLedger(RedissonClient redis, RedisLedgerSettings settings, MetricRegistry metrics) {
        this(redis, false, settings, metrics);
    }

    private RedisSlotLedger(
            RedissonClient redis, boolean ownsClient, RedisLedgerSettings settings, MetricRegistry metrics) {
        this.redis = redis;
        this.ownsClient = ownsClient;
        this.script = redis.getScript(StringCodec.INSTANCE);
        this.keys = new LedgerKeys(settings.keyPrefix());
        this.oneNode = !(redis instanceof Redisson client) || !client.getServiceManager().getCfg().isClusterConfig();
        this.settings = settings;
        LeaseTerms terms = settings.terms();
        this.keyTtl = ms(Math.max(terms.provisional().toMillis(), terms.bound().toMillis())
                + terms.tombstone().toMillis());
        this.wakeUps = new ReleaseWakeUps(redis.getTopic(keys.releaseChannel(), StringCodec.INSTANCE),
                keys.releaseChannel());
        this.replicas = new ReplicaWaits(redis);
        this.calls = new TimedCalls(metrics, settings.callTimeout(), wakeUps::resubscribeIfLost);
        this.owners = new JobOwners(redis, script, keys, calls);
        this.generation = new GenerationKey(script, keys.generation(), calls);
        this.scripts = new UserScripts(redis, script, keys, calls, replicas, settings.callTimeout());
    }

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        return decide(user, ticket, demand).thenApply(SharedDecision::admission);
    }

    CompletionStage<SharedDecision> decide(String user, String ticket, SlotDemand demand) {
        List<Object> args = new ArrayList<>();
        args.add(ticket);
        args.add(Integer.toString(demand.parentLimit()));
        args.add(Integer.toString(demand.jobLimit()));
        args.add(ms(settings.terms().provisional().toMillis()));
        args.add(keyTtl);
        args.add(Integer.toString(demand.lentJobLimit()));
        args.add(Long.toString(demand.marksOwnCallMs()));
        args.add(Integer.toString(demand.childBounds().size()));
        for (ChildBound bound : demand.childBounds()) {
            // Every child claim begins "c:": an attributed child's bound counts them all.
            args.add(bound.parent().equals(ChildBound.ATTRIBUTED) ? "c:" : childPrefix(bound.parent()));
            args.add(Integer.toString(bound.limit()));
        }
        demand.claims().forEach(claim -> args.add(encode(claim)));
        List<Object> userKeys = keys.userKeys(user);
        String routing = (String) userKeys.get(0);
        if (oneNode) {
            return scripts.<List<Object>>write(ACQUIRE, UserScripts.withKeys(userKeys, keys.generation()), user, args)
                    .thenApply(reply -> decision(routing, reply, String.valueOf(reply.get(4))));
        }
        return clusterDecide(routing, userKeys, user, args);
    }

    /**
     * On a Cluster the generation key is in another slot, so the acquire script cannot read it: it
     * is read in the same round trip instead. On the user's master, by a GET after the script in
     * the same batch (in order: it sees Redis after the decision, as the script's own read does on
     * one node); on another master, by a GET sent at the same time (the two masters' data sets
     * are independent, so no order between them means more). Either way one round trip, not two.
     */
    private CompletionStage<SharedDecision> clusterDecide(String routing, List<Object> userKeys, String user,
            List<Object> args) {
        String generationKey = keys.generation();
        String master = replicas.masterOf(routing);
        // "?": Redisson does not know the slot's master yet; the two are then sent apart.
        if (master != null && !master.equals("?") && master.equals(replicas.masterOf(generationKey))) {
            return scripts.<List<Object>>writeThenGet(ACQUIRE, user, args, generationKey)
                    .thenApply(both -> decision(routing, both.result(), both.read()));
        }
        CompletableFuture<String> generation = generation(null).toCompletableFuture();
        return scripts.<List<Object>>write(ACQUIRE, userKeys, user, args)
                .thenCombine(generation, (reply, value) -> decision(routing, reply, value));
    }

    /** An acquire's reply and the generation read with it ('' or null: the key is gone). */
    private SharedDecision decision(String routing, List<Object> reply, String generation) {
        replicas.learn(routing, SharedDecision.connectedReplicas(reply));
        return SharedDecision.of(reply, generation);
    }

    @Override
    public CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds) {
        List<Object> args = new ArrayList<>();
        args.add(ticket);
        args.add(ms(settings.terms().bound().toMillis()));
        args.add(keyTtl);
        args.add(ms(settings.terms().tombstone().toMillis()));
        args.addAll(jobIds);
        if (oneNode) {
            List<Object> scriptKeys = new ArrayList<>(keys.userKeys(user));
            jobIds.forEach(jobId -> scriptKeys.add(keys.jobOwner(jobId)));
            return scripts.<List<Object>>write(BIND, scriptKeys, user, args)
                    .thenApply(reply -> reply.stream().map(String::valueOf).toList());
        }
        // On a Cluster the owner keys are in other slots: they are written at the same time as the
        // bind (one round trip, not two). No order is needed: a finish by job id alone that comes
        // between them either finds the owner (its release leaves a tombstone the bind obeys) or
        // marks the job gone (the owner index then says so, and the new lease is released).
        CompletionStage<List<String>> gone = owners.recordAll(user, jobIds, ms(settings.terms().bound().toMillis()), this::releaseJob);
        return scripts.<List<Object>>write(BIND, keys.userKeys(user), user, args).thenCombine(gone, (reply, released) -> {
            List<String> kept = new ArrayList<>(reply.stream().map(String::valueOf).toList());
            kept.removeAll(released);
            return kept;
        });
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        List<Object> args = List.of("ticket", ticket, ms(settings.terms().tombstone().toMillis()), keyTtl);
        return scripts.<Long>write(RELEASE, keys.userKeys(user), user, args).thenApply(Long::intValue);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        return owners.ownerOfFinished(jobId, ms(settings.terms().tombstone().toMillis())).thenCompose(user -> user == null
                        ? CompletableFuture.completedFuture(false)
                        : releaseJob(user, jobId));
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        List<Object> args = List.of("job", jobId, ms(settings.terms().tombstone().toMillis()), keyTtl);
        if (oneNode) {
            return scripts.<Long>write(RELEASE, UserScripts.withKeys(keys.userKeys(user), keys.jobOwner(jobId)), user, args)
                    .thenApply(freed -> freed > 0);
        }
        // The owner key (another slot) is deleted at the same time: the release's tombstone, not the
        // owner key, is what keeps a late bind from taking the job again.
        CompletionStage<Boolean> deleted = owners.forget(jobId);
        return scripts.<Long>write(RELEASE, keys.userKeys(user), user, args)
                .thenCombine(deleted, (freed, ownerDeleted) -> freed > 0);
    }

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        return owners.ownerOf(jobId);
    }

    @Override
    public CompletionStage<OwnedRelease> releaseJobOf(String claimant, String jobId) {
        List<Object> args = List.of(jobId, ms(settings.terms().tombstone().toMillis()), keyTtl);
        if (!oneNode) {
            return clusterReleaseJobOf(claimant, jobId, args);
        }
        return scripts.<List<Object>>write(FINISH, UserScripts.withKeys(keys.userKeys(claimant), keys.jobOwner(jobId)), claimant,
                args).thenApply(reply -> switch (number(reply.get(0))) {
                    case 1 -> new OwnedRelease(Optional.of(claimant), number(reply.get(1)) > 0);
                    case 2 -> new OwnedRelease(Optional.of((String) reply.get(1)), false);
                    default -> new OwnedRelease(Optional.empty(), false);
                });
    }

    /**
     * On a Cluster the owner key is in another slot: the claimant's own lease of the job is checked
     * and released in its slot (the common case: the job's runner finishing its own job), then the
     * owner key deleted; two round trips where the owner lookup, the release and the delete took
     * three. A claimant holding no lease of the job takes the lookup path of {@link
     * SlotLedger#releaseJobOf} (finished before its bind, expired, or someone else's).
     */
    private CompletionStage<OwnedRelease> clusterReleaseJobOf(String claimant, String jobId, List<Object> args) {
        return scripts.<List<Object>>write(FINISH_OWN, keys.userKeys(claimant), claimant, args).thenCompose(reply -> {
            if (number(reply.get(0)) != 1) {
                return SlotLedger.super.releaseJobOf(claimant, jobId);
            }
            boolean freed = number(reply.get(1)) > 0;
            return owners.forget(jobId).thenApply(deleted -> new OwnedRelease(Optional.of(claimant), freed));
        });
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return scripts.<List<Object>>read(COUNTS, user, List.of()).thenApply(reply -> ScriptValues.counts(reply, 0));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        return scripts.<String>read(PARENT, user, List.of(jobId))
                .thenApply(claim -> claim == null ? Optional.empty() : Optional.of(decode(claim)));
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        List<Object> args = List.of(jobId, encode(claim), ms(settings.terms().bound().toMillis()), keyTtl);
        return scripts.<List<Object>>write(ADOPT, keys.userKeys(user), user, args).thenCompose(reply -> {
            ScriptValues.counts(reply, 1);
            return owners.recordAll(user, List.of(jobId), ms(settings.terms().bound().toMillis()), this::releaseJob).thenApply(gone -> gone.isEmpty() && number(reply.get(0)) == 1);
        });
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        return scripts.<List<Object>>read(TRACKED, user, List.of())
                .thenApply(reply -> ScriptValues.trackedJobs(reply, 0, reply.size()));
    }

    @Override
    public CompletionStage<UserLeases> leases(String user) {
        return scripts.<List<Object>>read(LEASES, user, List.of()).thenApply(reply -> {
            int pairs = number(reply.get(0));
            return new UserLeases(ScriptValues.trackedJobs(reply, 1, pairs + 1), ScriptValues.counts(reply, pairs + 1));
        });
    }

    /** SCANs for users' keys: for the reconciler, never on a request's path. */
    @Override
    public CompletionStage<Set<String>> users() {
        AsyncIterator<String> scan = redis.getKeys()
                .getKeysAsync(KeysScanOptions.defaults().pattern(keys.leasesPattern()).chunkSize(500));
        Set<String> users = new HashSet<>();
        return collect(scan, key -> users.add(keys.userOfLeasesKey(key))).thenApply(done -> Set.copyOf(users));
    }

    @Override
    public void onRelease(Consumer<String> listener) {
        wakeUps.onRelease(listener);
    }

    /**
     * The generation key's value ({@code ready:<id>} or {@code rebuilding:<id>}, see {@link
     * ResilientLedger}); when there is none, writes {@code createAs} first unless it is null (then
     * answers null).
     */
    CompletionStage<String> generation(String createAs) {
        return generation.read(createAs);
    }

    /**
     * A ready generation becomes {@code rebuilding} (a failover may have lost writes: see {@link
     * MasterWatch}); one already rebuilding stays. Answers the value after.
     */
    CompletionStage<String> generationLost(String rebuilding) {
        return generation.lost(rebuilding);
    }

    /** {@code rebuilding:<id>} becomes {@code ready:<id>}; answers the value after. */
    CompletionStage<String> generationReady(String id) {
        return generation.ready(id);
    }

    /**
     * A pub/sub channel {@code {prefix}:NAME} on the ledger's Redis, for what replicas tell each
     * other besides wake-ups (actions on a call another replica holds). PUBLISH reaches every node
     * of a Cluster, so a channel needs no hash tag.
     */
    public RTopic channel(String name) {
        return redis.getTopic(keys.named(name), StringCodec.INSTANCE);
    }

    /** A hash {@code {prefix}:{NAME}} on the ledger's Redis (one key: one Cluster slot). */
    public RMap<String, String> hash(String name) {
        return redis.getMap(keys.named("{" + name + "}"), StringCodec.INSTANCE);
    }

    /** Completes once the release channel is subscribed: wake-ups from other replicas arrive. */
    public CompletionStage<Void> subscribed() {
        return wakeUps.subscribed();
    }

    /**
     * Opens the client's connections (a DBSIZE on every master makes Redisson connect to each, and
     * on a Cluster or Sentinel learn the topology) and loads every ledger script into every
     * master: what {@link LedgerWarmUp} does at start, bounded by {@code within} rather than the
     * call timeout, since opening connections and TLS handshakes take longer than one call.
     */
    CompletionStage<Void> connectAndLoadScripts(Duration within) {
        return redis.getKeys().countAsync()
                .thenCompose(keys -> CompletableFuture.allOf(ALL_SCRIPTS.stream()
                        .map(s -> s.loadInto(script).toCompletableFuture()).toArray(CompletableFuture[]::new)))
                .toCompletableFuture()
                .orTimeout(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the last Redis call failed; empty once one has succeeded since. */
    Optional<String> lastFailure() {
        return calls.lastFailure();
    }

    @Override
    public void close() {
        wakeUps.close();
        if (ownsClient) {
            redis.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** The replicas a lease write of {@code user} waits for now (tests). */
    int replicasFor(String user) {
        return replicas.replicasOf((String) keys.userKeys(user).get(0));
    }

    private static <T> CompletionStage<Void> collect(AsyncIterator<T> it, Consumer<T> sink) {
        return it.hasNext().thenCompose(more -> more
                ? it.next().thenCompose(item -> {
                    sink.accept(item);
                    return collect(it, sink);
                })
                : CompletableFuture.completedFuture(null));
    }

    private static String ms(long millis) {
        return Long.toString(millis);
    }

    private static LedgerScript write(String name, RScript.ReturnType type) {
        return LedgerScript.load(name, RScript.Mode.READ_WRITE, type);
    }
}
