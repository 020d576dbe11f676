package us.kbase.ee2proxy.admission;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admin.Readiness;
import us.kbase.ee2proxy.capoverride.CapOverrides;
import us.kbase.ee2proxy.config.AdmissionConfig;
import us.kbase.ee2proxy.config.ConfigException;
import us.kbase.ee2proxy.config.ProxyConfig;
import us.kbase.ee2proxy.config.RedisAddress;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.hold.HoldSettings;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentitySettings;
import us.kbase.ee2proxy.ledger.InMemorySlotLedger;
import us.kbase.ee2proxy.ledger.LeaseTerms;
import us.kbase.ee2proxy.ledger.LedgerWarmUp;
import us.kbase.ee2proxy.ledger.RedisLedgerSettings;
import us.kbase.ee2proxy.ledger.RedisSlotLedger;
import us.kbase.ee2proxy.ledger.ResilientLedger;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.stall.StallDetector;
import us.kbase.ee2proxy.status.ActionLog;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.OperatorPages;
import us.kbase.ee2proxy.status.ReplicaChannel;
import us.kbase.ee2proxy.status.StatusPages;
import us.kbase.ee2proxy.status.StatusLink;
import us.kbase.ee2proxy.tracking.CallerIdentity;
import us.kbase.ee2proxy.tracking.CancelledApps;
import us.kbase.ee2proxy.tracking.Ee2Client;
import us.kbase.ee2proxy.tracking.JobProgress;
import us.kbase.ee2proxy.tracking.JobTracker;
import us.kbase.ee2proxy.tracking.ReconcileSettings;

/**
 * Admission, assembled from the {@code admission:} configuration: auth2 identity, the slot
 * ledger (in memory, or Redis with the policy's fallback), the hold queues, job tracking and the
 * {@link PolicyGate} that the proxy server is built with. Closing it stops the holds and the
 * ledger.
 *
 * <pre>{@code
 * AdmissionStack admission = AdmissionStack.builder(config, registry).policy(() -> policy).build();
 * ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate()).build().start();
 * }</pre>
 */
public final class AdmissionStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionStack.class);
    /** How often the Redis ledger's generation is read, and Redis probed while it fails. */
    private static final Duration REDIS_PROBE = Duration.ofSeconds(1);
    /** Bound on asking EE2 what a retried job was (check_job with the caller's token). */
    private static final Duration RETRY_LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    /** Bound on one cancel_job of a cancelled parallel app's child. */
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);

    /** How often the Redis ledger's start-up (connect, load scripts, subscribe) is tried again until it succeeds. */
    private static final Duration REDIS_WARM_UP_RETRY = Duration.ofSeconds(1);

    private final SlotLedger ledger;
    /** Null with the in-memory ledger, which is ready at once. */
    private final LedgerWarmUp warmUp;
    private final HoldQueues holds;
    private final JobTracker tracker;
    private final PolicyGate gate;
    private final AdmissionMetrics metrics;
    private final LiveState live;
    /** The operators' temporary overrides of users' caps, on top of the file's policy. */
    private final CapOverrides capOverrides;
    private final Auth2Identity identity;
    private final StatusLink link;
    private final ActionLog actions;
    private final StallDetector stalls;
    private final CancelledApps cancelledApps;
    /** Null without Redis: actions and views reach only this replica's waiting calls. */
    private final ReplicaChannel replicas;

    private AdmissionStack(Builder b) {
        AdmissionConfig a = b.config.admission();
        URI auth = a.authFor(b.config.upstream().url());
        Auth2Identity identity = new Auth2Identity(IdentitySettings.of(auth).withTimeout(a.authTimeout()), b.registry);
        LeaseTerms terms = new LeaseTerms(a.provisionalLease(), LeaseTerms.DEFAULT.bound(), LeaseTerms.DEFAULT.tombstone());
        RedisSlotLedger redis = null;
        if (a.redis() == null) {
            this.ledger = new InMemorySlotLedger(terms);
            this.warmUp = null;
        } else {
            RedisAddress address = a.redisAddress().withPasswordIfNone(System.getenv(RedisAddress.PASSWORD_ENV));
            redis = RedisSlotLedger.connect(address, a.redisTls(), redisSettings(a, terms, b), b.registry);
            // Connections and scripts now, not on the first decision; /health says not ready until done.
            this.warmUp = LedgerWarmUp.start(redis, address.toString(), REDIS_WARM_UP_RETRY);
            this.ledger = new ResilientLedger(redis, () -> b.policy.get().redisFailureMode(), terms, b.rebuildFromEe2,
                    REDIS_PROBE, b.registry);
        }
        this.holds = new HoldQueues(ledger, new HoldSettings(a.maxHeld(), a.maxHeldPerUser(), a.recheckEvery()));
        this.metrics = new AdmissionMetrics(b.registry);
        this.tracker = new JobTracker(ledger, CallerIdentity.of(identity), b.registry);
        this.identity = identity;
        this.link = new StatusLink(b.config.statusUrl());
        // Decisions and pages read the file's policy with the operators' temporary overrides on top.
        this.capOverrides = new CapOverrides(b.policy, Clock.systemUTC());
        this.live = new LiveState(capOverrides, ledger, this::ledgerHealth, Clock.systemUTC());
        holds.onCounts(live::counts);
        this.actions = new ActionLog(b.registry);
        this.stalls = new StallDetector(live, b.config.stall(), Clock.systemUTC(), b.registry).start();
        this.replicas = redis == null ? null : new ReplicaChannel(redis.channel("actions"), redis.channel("replies"),
                redis.hash("waiting"), redis.hash("limits"), Clock.systemUTC()).publishWaiting(live);
        this.gate = new PolicyGate(capOverrides, identity, ledger, holds, askEe2(b.config), tracker, metrics, live, link);
        this.cancelledApps = cancelledApps(b, a);
        tracker.onAppCancelled(cancelledApps);
        tracker.onProgress(jobProgress());
        LOG.info("admission: policy {}, auth2 at {}, {} ledger, at most {} waiting calls ({} per user)",
                b.policy.get().source(), auth, a.redis() == null ? "in-memory" : "Redis " + a.redisAddress(), a.maxHeld(),
                a.maxHeldPerUser());
    }

    /**
     * A cancelled parallel app's waiting children are always answered; its children at EE2 are
     * cancelled only with {@code admission.cancelChildrenWithParent} and a service token.
     */
    private CancelledApps cancelledApps(Builder b, AdmissionConfig a) {
        String token = null;
        if (a.cancelChildrenWithParent()) {
            if (b.serviceToken == null) {
                LOG.warn("admission.cancelChildrenWithParent is on but no service token is set ({}): a cancelled parallel"
                        + " app's children at EE2 are left to run", ReconcileSettings.TOKEN_ENV);
            } else {
                token = b.serviceToken;
                LOG.info("a cancelled parallel app's children at EE2 are cancelled too (admission.cancelChildrenWithParent)");
            }
        }
        return new CancelledApps(holds, ledger, live, actions,
                token == null ? null : new Ee2Client(b.config.upstream(), CANCEL_TIMEOUT), token, b.registry);
    }

    private static RedisLedgerSettings redisSettings(AdmissionConfig a, LeaseTerms terms, Builder b) {
        return RedisLedgerSettings.DEFAULT.withCallTimeout(a.ledgerTimeout()).withTerms(terms)
                .withKeyPrefix(b.redisKeyPrefix);
    }

    /** A retried job's params from EE2's check_job, asked with the caller's own token. */
    private static RetriedJobs askEe2(ProxyConfig config) {
        return new Ee2RetriedJobs(new Ee2Client(config.upstream(), RETRY_LOOKUP_TIMEOUT));
    }

    public static Builder builder(ProxyConfig config, MetricRegistry registry) {
        return new Builder(config, registry);
    }

    /**
     * The policy {@code serve} starts with: the configured file, else {@code config/policy.yaml}
     * when present, else the built-in defaults (KBase today).
     *
     * @throws ConfigException naming every problem in the file, with line and column
     */
    public static AdmissionPolicy initialPolicy(AdmissionConfig config) {
        Path file = config.policyFileOrDefault();
        if (file == null) {
            return AdmissionPolicy.defaults();
        }
        try {
            return PolicyLoader.load(file);
        } catch (PolicyException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** The ledger's health in words, for the status pages. */
    private String ledgerHealth() {
        if (warmUp == null) {
            return "in-memory ledger (one replica)";
        }
        if (!warmUp.ready()) {
            return "Redis ledger not ready: " + warmUp.state();
        }
        ResilientLedger r = (ResilientLedger) ledger;
        if (r.redisDecides()) {
            return "Redis ledger decides";
        }
        return "Redis ledger cannot decide now (" + r.owed() + " writes owed to Redis); the policy's redis.onFailure applies";
    }

    /**
     * Where job tracking and the reconciler report what EE2 shows of a job's progress: the live
     * state's children (it watches only the unfinished children it shows).
     */
    public JobProgress jobProgress() {
        return JobProgress.of(live::watches, live::progress);
    }

    /** The live state model the status pages read. */
    public LiveState live() {
        return live;
    }

    /** The live stall detector (running every {@code stall.every}; {@link StallDetector#check()} looks now). */
    public StallDetector stalls() {
        return stalls;
    }

    /** auth2, as admission uses it (the status pages identify users with it). */
    public Auth2Identity identity() {
        return identity;
    }

    /** The scientists' status pages for the main port, on this stack's state, auth2 and queues. */
    public StatusPages statusPages() {
        return new StatusPages(live, identity, holds, actions, replicas);
    }

    /** The operators' views and actions for the admin port. */
    public OperatorPages operatorPages() {
        return new OperatorPages(live, holds, actions, identity, capOverrides, replicas);
    }

    /** The other replicas on the same Redis (null without Redis). */
    public ReplicaChannel replicas() {
        return replicas;
    }

    /** Where every action on a waiting call is audited and counted. */
    public ActionLog actionLog() {
        return actions;
    }

    /** Where scientists look ({@code status.url}). */
    public StatusLink statusLink() {
        return link;
    }

    /** The gate to build the proxy server with. */
    public AdmissionGate gate() {
        return gate;
    }

    public SlotLedger ledger() {
        return ledger;
    }

    /**
     * For {@code /health}: ready at once with the in-memory ledger; with Redis, once the ledger has
     * connected, loaded its scripts, answered a call and subscribed to wake-ups.
     */
    public Readiness readiness() {
        if (warmUp == null) {
            return Readiness.ALWAYS;
        }
        return () -> new Readiness.Status(warmUp.ready(), warmUp.state());
    }

    /** Completes once the ledger is ready (at once with the in-memory one). */
    public CompletionStage<Void> whenReady() {
        return warmUp == null ? CompletableFuture.completedFuture(null) : warmUp.whenReady();
    }

    public HoldQueues holds() {
        return holds;
    }

    /** Job tracking: frees leases as the calls passing through reveal finished jobs. */
    public JobTracker tracker() {
        return tracker;
    }

    @Override
    public void close() {
        if (warmUp != null) {
            warmUp.stop();
        }
        stalls.close();
        if (replicas != null) {
            replicas.close(); // before the ledger closes the Redis client
        }
        holds.close();
        ledger.close();
    }

    public static final class Builder {
        private final ProxyConfig config;
        private final MetricRegistry registry;
        private Supplier<AdmissionPolicy> policy;
        private String redisKeyPrefix = RedisLedgerSettings.DEFAULT.keyPrefix();
        private boolean rebuildFromEe2;
        private String serviceToken;

        private Builder(ProxyConfig config, MetricRegistry registry) {
            this.config = Objects.requireNonNull(config, "config");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The policy, read at every decision (hot reload swaps what it returns); the initial policy by default. */
        public Builder policy(Supplier<AdmissionPolicy> value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** The Redis key prefix, so that several deployments or tests can share one Redis. */
        public Builder redisKeyPrefix(String value) {
            this.redisKeyPrefix = Objects.requireNonNull(value, "redisKeyPrefix");
            return this;
        }

        /**
         * Whether the reconciler runs (a service token is set): a Redis that lost its data is then
         * rebuilt from EE2 before it decides again; without, decisions go on with what it holds.
         */
        public Builder rebuildFromEe2(boolean value) {
            this.rebuildFromEe2 = value;
            return this;
        }

        /**
         * The proxy's own KBase token (EE2_PROXY_SERVICE_TOKEN); with EE2_ADMIN it cancels a
         * cancelled parallel app's children at EE2 when {@code admission.cancelChildrenWithParent}.
         */
        public Builder serviceToken(String value) {
            this.serviceToken = value == null || value.isBlank() ? null : value.trim();
            return this;
        }

        public AdmissionStack build() {
            if (policy == null) {
                AdmissionPolicy initial = initialPolicy(config.admission());
                policy = () -> initial;
            }
            return new AdmissionStack(this);
        }
    }
}
