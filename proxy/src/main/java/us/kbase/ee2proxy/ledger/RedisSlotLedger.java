package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.AsyncIterator;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.connection.MasterSlaveEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger log = LoggerFactory.getLogger(RedisSlotLedger.class);

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
    private static final LedgerScript OWNER_INDEX =
            LedgerScript.ownerScript("owner_index", RScript.Mode.READ_WRITE, RScript.ReturnType.LONG);
    private static final LedgerScript OWNER_RELEASE =
            LedgerScript.ownerScript("owner_release", RScript.Mode.READ_WRITE, RScript.ReturnType.VALUE);
    /** What owner_release.lua leaves in a job's owner key for a job released before it was owned. */
    private static final String GONE = "\0gone";
    private static final LedgerScript GENERATION =
            LedgerScript.ownerScript("generation", RScript.Mode.READ_WRITE, RScript.ReturnType.VALUE);
    private static final LedgerScript TRACKED =
            LedgerScript.load("tracked", RScript.Mode.READ_ONLY, RScript.ReturnType.LIST);

    /** Every script, for {@link #connectAndLoadScripts}. */
    private static final List<LedgerScript> ALL_SCRIPTS =
            List.of(ACQUIRE, BIND, RELEASE, FINISH, FINISH_OWN, ADOPT, COUNTS, LEASES, PARENT, OWNER_INDEX, OWNER_RELEASE, TRACKED);

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
    private final MetricRegistry metrics;
    private final Counter errors;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final RTopic releases;
    private final AtomicReference<CompletableFuture<Void>> subscription = new AtomicReference<>();
    /** Replicas to WAIT for, by master address ({@link #replicasOf}). */
    private final Map<String, Integer> replicasByMaster = new ConcurrentHashMap<>();
    /** One timer per operation, found once (not a name built and looked up on every call). */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** Why the last call failed, or null after one succeeded: for /health. */
    private volatile String lastFailure;

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
        this.metrics = metrics;
        this.errors = metrics.counter("ledger.redis.errors");
        this.releases = redis.getTopic(keys.releaseChannel(), StringCodec.INSTANCE);
        CompletableFuture<Void> first = new CompletableFuture<>();
        subscription.set(first);
        subscribe(first);
    }

    /**
     * Subscribes to the release channel. Redis may be down when the proxy starts: then the next
     * call Redis answers subscribes again (once Redisson holds the subscription, it renews it
     * across reconnects by itself).
     */
    private void subscribe(CompletableFuture<Void> outcome) {
        try {
            releases.addListenerAsync(String.class, (channel, user) -> wake(user)).whenComplete((id, error) -> {
                if (error == null) {
                    outcome.complete(null);
                } else {
                    outcome.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
        }
        outcome.whenComplete((done, error) -> {
            if (error != null) {
                log.warn("Not subscribed to {} yet (Redis: {}); trying again once Redis answers",
                        keys.releaseChannel(), error.getMessage());
            }
        });
    }

    private void resubscribeIfLost() {
        CompletableFuture<Void> current = subscription.get();
        if (current.isCompletedExceptionally()) {
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (subscription.compareAndSet(current, next)) {
                subscribe(next);
            }
        }
    }

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        return decide(user, ticket, demand).thenApply(Decision::admission);
    }

    /**
     * A decision and the generation key read with it (on one node in the same script, on a
     * Cluster in the same round trip): what the ledger decided on (see {@link ResilientLedger},
     * rule 3) costs no second round trip.
     *
     * @param generation the generation key's value after the decision, null when the key is gone
     * @param generationRead whether it was read (always, now: on a Cluster in the same round trip,
     *     see {@link #clusterDecide})
     */
    record Decision(Admission admission, String generation, boolean generationRead) {}

    CompletionStage<Decision> decide(String user, String ticket, SlotDemand demand) {
        List<Object> args = new ArrayList<>();
        args.add(ticket);
        args.add(Integer.toString(demand.parentLimit()));
        args.add(Integer.toString(demand.jobLimit()));
        args.add(ms(settings.terms().provisional().toMillis()));
        args.add(keyTtl);
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
            return this.<List<Object>>replicated(ACQUIRE, withKeys(userKeys, keys.generation()), user, args)
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
    private CompletionStage<Decision> clusterDecide(String routing, List<Object> userKeys, String user,
            List<Object> args) {
        String generationKey = keys.generation();
        String master = masterOf(routing);
        // "?": Redisson does not know the slot's master yet; the two are then sent apart.
        if (master != null && !master.equals("?") && master.equals(masterOf(generationKey))) {
            Object[] argv = argv(user, args);
            return timed(ACQUIRE.name(), () -> ACQUIRE.<List<Object>>runThenGet(redis, StringCodec.INSTANCE,
                    replicasOf(routing), settings.callTimeout(), generationKey, userKeys, argv)
                    .whenComplete((value, error) -> learnFromFailure(routing, error)))
                    .thenApply(both -> decision(routing, both.result(), both.read()));
        }
        CompletableFuture<String> generation = generation(null).toCompletableFuture();
        return this.<List<Object>>replicated(ACQUIRE, userKeys, user, args)
                .thenCombine(generation, (reply, value) -> decision(routing, reply, value));
    }

    /** An acquire's reply and the generation read with it ('' or null: the key is gone). */
    private Decision decision(String routing, List<Object> reply, String generation) {
        UserCounts counts = observed(reply, 5);
        MasterId master = new MasterId((String) reply.get(1), (String) reply.get(2));
        learnReplicas(routing, number(reply.get(3)));
        Admission.Verdict verdict = switch (number(reply.get(0))) {
            case 1 -> Admission.Verdict.ADMITTED;
            case 2 -> Admission.Verdict.CHILDREN_BOUND;
            default -> Admission.Verdict.FULL;
        };
        return new Decision(new Admission(verdict, counts, master),
                generation == null || generation.isEmpty() ? null : generation, true);
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
            return this.<List<Object>>replicated(BIND, scriptKeys, user, args)
                    .thenApply(reply -> reply.stream().map(String::valueOf).toList());
        }
        // On a Cluster the owner keys are in other slots: they are written at the same time as the
        // bind (one round trip, not two). No order is needed: a finish by job id alone that comes
        // between them either finds the owner (its release leaves a tombstone the bind obeys) or
        // marks the job gone (the owner index then says so, and the new lease is released).
        CompletionStage<List<String>> gone = indexOwner(user, jobIds);
        return this.<List<Object>>replicated(BIND, keys.userKeys(user), user, args).thenCombine(gone, (reply, released) -> {
            List<String> kept = new ArrayList<>(reply.stream().map(String::valueOf).toList());
            kept.removeAll(released);
            return kept;
        });
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        List<Object> args = List.of("ticket", ticket, ms(settings.terms().tombstone().toMillis()), keyTtl);
        return this.<Long>replicated(RELEASE, keys.userKeys(user), user, args).thenApply(Long::intValue);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        String key = keys.jobOwner(jobId);
        return timed("owner", () -> OWNER_RELEASE.<String>run(script, List.of(key), ms(settings.terms().tombstone().toMillis())))
                .thenCompose(user -> user == null
                        ? CompletableFuture.completedFuture(false)
                        : releaseJob(user, jobId));
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        List<Object> args = List.of("job", jobId, ms(settings.terms().tombstone().toMillis()), keyTtl);
        if (oneNode) {
            return this.<Long>replicated(RELEASE, withKeys(keys.userKeys(user), keys.jobOwner(jobId)), user, args)
                    .thenApply(freed -> freed > 0);
        }
        // The owner key (another slot) is deleted at the same time: the release's tombstone, not the
        // owner key, is what keeps a late bind from taking the job again.
        CompletionStage<Boolean> deleted =
                timed("owner", () -> redis.getBucket(keys.jobOwner(jobId), StringCodec.INSTANCE).deleteAsync());
        return this.<Long>replicated(RELEASE, keys.userKeys(user), user, args)
                .thenCombine(deleted, (freed, ownerDeleted) -> freed > 0);
    }

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        return timed("owner", () -> redis.<String>getBucket(keys.jobOwner(jobId), StringCodec.INSTANCE).getAsync())
                .thenApply(owner -> owner == null || owner.equals(GONE) ? Optional.<String>empty() : Optional.of(owner));
    }

    @Override
    public CompletionStage<OwnedRelease> releaseJobOf(String claimant, String jobId) {
        List<Object> args = List.of(jobId, ms(settings.terms().tombstone().toMillis()), keyTtl);
        if (!oneNode) {
            return clusterReleaseJobOf(claimant, jobId, args);
        }
        return this.<List<Object>>replicated(FINISH, withKeys(keys.userKeys(claimant), keys.jobOwner(jobId)), claimant,
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
        return this.<List<Object>>replicated(FINISH_OWN, keys.userKeys(claimant), claimant, args).thenCompose(reply -> {
            if (number(reply.get(0)) != 1) {
                return SlotLedger.super.releaseJobOf(claimant, jobId);
            }
            boolean freed = number(reply.get(1)) > 0;
            return timed("owner", () -> redis.getBucket(keys.jobOwner(jobId), StringCodec.INSTANCE).deleteAsync())
                    .thenApply(deleted -> new OwnedRelease(Optional.of(claimant), freed));
        });
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return this.<List<Object>>call(COUNTS, user, List.of()).thenApply(reply -> observed(reply, 0));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        return this.<String>call(PARENT, user, List.of(jobId))
                .thenApply(claim -> claim == null ? Optional.empty() : Optional.of(decode(claim)));
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        List<Object> args = List.of(jobId, encode(claim), ms(settings.terms().bound().toMillis()), keyTtl);
        return this.<List<Object>>replicated(ADOPT, keys.userKeys(user), user, args).thenCompose(reply -> {
            observed(reply, 1);
            return indexOwner(user, List.of(jobId)).thenApply(gone -> gone.isEmpty() && number(reply.get(0)) == 1);
        });
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        return this.<List<Object>>call(TRACKED, user, List.of()).thenApply(reply -> {
            List<TrackedJob> jobs = new ArrayList<>(reply.size() / 2);
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                jobs.add(new TrackedJob((String) reply.get(i), decode((String) reply.get(i + 1))));
            }
            return jobs;
        });
    }

    @Override
    public CompletionStage<UserLeases> leases(String user) {
        return this.<List<Object>>call(LEASES, user, List.of()).thenApply(reply -> {
            int pairs = number(reply.get(0));
            List<TrackedJob> jobs = new ArrayList<>(pairs / 2);
            for (int i = 1; i + 1 <= pairs; i += 2) {
                jobs.add(new TrackedJob((String) reply.get(i), decode((String) reply.get(i + 1))));
            }
            return new UserLeases(jobs, observed(reply, pairs + 1));
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
        listeners.add(listener);
    }

    /**
     * The generation key's value ({@code ready:<id>} or {@code rebuilding:<id>}, see {@link
     * ResilientLedger}); when there is none, writes {@code createAs} first unless it is null (then
     * answers null).
     */
    CompletionStage<String> generation(String createAs) {
        Object[] args = createAs == null ? new Object[] {"get"} : new Object[] {"get", createAs};
        return timed("generation", () -> GENERATION.<String>run(script, List.of(keys.generation()), args));
    }

    /**
     * A ready generation becomes {@code rebuilding} (a failover may have lost writes: see {@link
     * MasterWatch}); one already rebuilding stays. Answers the value after.
     */
    CompletionStage<String> generationLost(String rebuilding) {
        return timed("generation", () -> GENERATION.<String>run(script, List.of(keys.generation()), "lost", rebuilding));
    }

    /** {@code rebuilding:<id>} becomes {@code ready:<id>}; answers the value after. */
    CompletionStage<String> generationReady(String id) {
        return timed("generation", () -> GENERATION.<String>run(script, List.of(keys.generation()), "ready", id));
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
        return subscription.get();
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
        return Optional.ofNullable(lastFailure);
    }

    @Override
    public void close() {
        releases.removeAllListenersAsync();
        if (ownsClient) {
            redis.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private void wake(String user) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(user);
            } catch (RuntimeException e) {
                log.warn("release listener failed", e);
            }
        }
    }

    /**
     * Records each job's owner, for releases by job id alone; returns the jobs found released by id
     * before this (a quick job's finish passing before its run_job reply), whose new leases are
     * released at once.
     */
    private CompletionStage<List<String>> indexOwner(String user, List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        String ttl = ms(settings.terms().bound().toMillis());
        List<CompletableFuture<Boolean>> indexed = new ArrayList<>(jobIds.size());
        for (String jobId : jobIds) {
            indexed.add(timed("owner", () -> OWNER_INDEX.<Long>run(script, List.of(keys.jobOwner(jobId)), user, ttl))
                    .thenCompose(recorded -> recorded == 1
                            ? CompletableFuture.completedFuture(false)
                            : releaseJob(user, jobId).thenApply(freed -> true))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(indexed.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < jobIds.size(); i++) {
                if (indexed.get(i).join()) {
                    gone.add(jobIds.get(i));
                }
            }
            return gone;
        });
    }

    private <R> CompletionStage<R> call(LedgerScript ledgerScript, String user, List<Object> args) {
        Object[] argv = argv(user, args);
        return timed(ledgerScript.name(), () -> ledgerScript.run(script, keys.userKeys(user), argv));
    }

    /**
     * A write of leases (acquire, bind, adopt, release), answered only once every replica the
     * client knows for the user's master has it ({@code WAIT}, see {@link #replicasOf}): a failover
     * then promotes a replica that has every lease this ledger acknowledged. A replica that does
     * not acknowledge within the call timeout makes the call fail like any Redis failure (the
     * write may have happened on the master; every write is idempotent and the caller makes it
     * again). On a Cluster the owner index and the generation are other calls, not waited for:
     * losing them can only make Redis count more (a release by job id finds no owner) or rebuild
     * once more. On one node they are in the same script as the leases, so waited for with them.
     */
    private <R> CompletionStage<R> replicated(LedgerScript ledgerScript, List<Object> scriptKeys, String user,
            List<Object> args) {
        Object[] argv = argv(user, args);
        String routing = (String) scriptKeys.get(0);
        return timed(ledgerScript.name(), () -> ledgerScript.<R>runReplicated(redis, script, StringCodec.INSTANCE,
                replicasOf(routing), settings.callTimeout(), scriptKeys, argv)
                .whenComplete((value, error) -> learnFromFailure(routing, error)));
    }

    /** A write fewer replicas acknowledged than asked: wait for those that did, from now on. */
    private void learnFromFailure(String routing, Throwable error) {
        Throwable cause = error;
        while (cause != null && !(cause instanceof UnreplicatedWriteException) && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof UnreplicatedWriteException unreplicated) {
            learnReplicas(routing, unreplicated.acknowledged());
        }
    }

    /** The replicas a lease write of {@code user} waits for now (tests). */
    int replicasFor(String user) {
        return replicasOf((String) keys.userKeys(user).get(0));
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
    private int replicasOf(String key) {
        String master = masterOf(key);
        return master == null ? 0 : replicasByMaster.getOrDefault(master, 1);
    }

    private void learnReplicas(String key, int replicas) {
        String master = masterOf(key);
        if (master != null) {
            replicasByMaster.put(master, replicas);
        }
    }

    /** The address of the master Redisson sends {@code key}'s commands to; null on one server. */
    private String masterOf(String key) {
        if (!(redis instanceof Redisson client) || client.getServiceManager().getCfg().isSingleConfig()) {
            return null;
        }
        MasterSlaveEntry entry = client.getCommandExecutor().getConnectionManager().getEntry(key);
        return entry == null || entry.getClient() == null ? "?" : String.valueOf(entry.getClient().getAddr());
    }

    private static List<Object> withKeys(List<Object> userKeys, String more) {
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

    /**
     * Times a call and bounds it: Redisson's own timeout covers a sent command, the guard here also
     * covers waiting for a connection while Redis is unreachable.
     */
    private <R> CompletionStage<R> timed(String operation, Supplier<CompletionStage<R>> call) {
        Timer.Context timer = timers.computeIfAbsent(operation, op -> metrics.timer("ledger.redis." + op)).time();
        CompletableFuture<R> result;
        try {
            result = call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        long guard = settings.callTimeout().toMillis() * 4;
        return result.orTimeout(guard, TimeUnit.MILLISECONDS).handle((value, error) -> {
            timer.stop();
            if (error != null) {
                errors.inc();
                lastFailure = operation + ": " + rootMessage(error);
                throw new LedgerUnavailableException("Redis " + operation + " failed", error);
            }
            lastFailure = null;
            resubscribeIfLost();
            return value;
        });
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static <T> CompletionStage<Void> collect(AsyncIterator<T> it, Consumer<T> sink) {
        return it.hasNext().thenCompose(more -> more
                ? it.next().thenCompose(item -> {
                    sink.accept(item);
                    return collect(it, sink);
                })
                : CompletableFuture.completedFuture(null));
    }

    /** Parses {server time us, jobs, parents, app1, n1, ...} from {@code offset}. */
    private static UserCounts observed(List<Object> reply, int offset) {
        int jobs = number(reply.get(offset + 1));
        int parents = number(reply.get(offset + 2));
        Map<String, Integer> byApp = new HashMap<>();
        for (int i = offset + 3; i + 1 < reply.size(); i += 2) {
            byApp.put((String) reply.get(i), number(reply.get(i + 1)));
        }
        return new UserCounts(parents, jobs, byApp);
    }

    /** Lua integers arrive as Long, but a codec may hand them over as text. */
    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
    }

    /**
     * A claim as the scripts store it: {@code "<parent 0|1>:<depth>:<app>"}, or for a job admitted
     * as a running app's child {@code "c:<bytes>:<parent>:<app>"}, the parent's length in UTF-8
     * bytes first so that neither a parent id nor an app label can be read as the other.
     */
    static String encode(SlotClaim claim) {
        if (claim.childOf() != null) {
            return childPrefix(claim.childOf()) + claim.app();
        }
        return (claim.parent() ? "1:" : "0:") + claim.depth() + ":" + claim.app();
    }

    static SlotClaim decode(String text) {
        int second = text.indexOf(':', 2);
        if (text.startsWith("c:")) {
            int bytes = Integer.parseInt(text, 2, second, 10);
            byte[] rest = text.substring(second + 1).getBytes(StandardCharsets.UTF_8);
            String parent = new String(rest, 0, bytes, StandardCharsets.UTF_8);
            return SlotClaim.childOf(parent, new String(rest, bytes + 1, rest.length - bytes - 1, StandardCharsets.UTF_8));
        }
        return new SlotClaim(text.charAt(0) == '1', Integer.parseInt(text, 2, second, 10), text.substring(second + 1));
    }

    /** How every claim of a child of {@code parent} begins (acquire.lua counts them by it). */
    static String childPrefix(String parent) {
        return "c:" + parent.getBytes(StandardCharsets.UTF_8).length + ":" + parent + ":";
    }

    private static String ms(long millis) {
        return Long.toString(millis);
    }

    private static LedgerScript write(String name, RScript.ReturnType type) {
        return LedgerScript.load(name, RScript.Mode.READ_WRITE, type);
    }
}
