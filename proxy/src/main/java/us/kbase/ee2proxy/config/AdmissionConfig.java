package us.kbase.ee2proxy.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code admission:} section of {@code proxy.yaml} (the rules themselves live in the policy
 * file it names).
 *
 * @param policyFile the admission policy; null: {@code config/policy.yaml} when it exists, else
 *     the built-in defaults (KBase today)
 * @param auth auth2's base URL; null: derived from the upstream URL ({@link #authFor})
 * @param redis the shared ledger's Redis, in one of {@link RedisAddress}'s URL forms (one server,
 *     {@code redis+cluster://}, {@code redis+sentinel://}, {@code rediss...} for TLS); null: an
 *     in-memory ledger (one replica)
 * @param maxHeld how many job-creating calls may be held at once, over all users; more are refused
 * @param maxHeldPerUser how many of one user's job-creating calls may be held at once; more are
 *     refused (calls that may be KBParallel children get a small reserve beyond it, and a child
 *     finding no room is admitted rather than refused)
 * @param recheckEvery how often held calls are retried even without a release wake-up (Redis
 *     pub/sub delivers at most once, so a wake-up can be lost)
 * @param authTimeout bound on one auth2 request
 * @param ledgerTimeout bound on one Redis call (seconds: sized for a job-creating call, so that a busy JVM's
 *     stall never changes a decision); past it the policy's {@code redis.onFailure} applies
 * @param provisionalLease how long a submitted job's lease lives until EE2 names its job id;
 *     longer than {@code timeouts.response}
 * @param redisTls how a {@code rediss...} Redis's certificates are checked
 * @param cancelChildrenWithParent when EE2 accepts a cancel of a parallel app from its owner or an
 *     admin, also cancel its children already at EE2 (with the service token, EE2_PROXY_SERVICE_TOKEN,
 *     which then needs EE2_ADMIN); off by default: its children waiting at the proxy are always
 *     answered, those at EE2 are left to run (EE2 does not cancel KBParallel's children itself)
 */
public record AdmissionConfig(Path policyFile, URI auth, URI redis, int maxHeld, int maxHeldPerUser,
        Duration recheckEvery, Duration authTimeout, Duration ledgerTimeout, Duration provisionalLease,
        RedisTls redisTls, boolean cancelChildrenWithParent) {

    /** Where {@code serve} looks for the policy when none is named. */
    public static final Path DEFAULT_POLICY_FILE = Path.of("config", "policy.yaml");

    /**
     * A tenth of {@code maxHeld}: a user's legitimate waiting calls number in the tens (each
     * narrative app cell and each running parallel app waits on one call at a time), while ten
     * users at once still cannot fill every place.
     */
    public static final int DEFAULT_MAX_HELD_PER_USER = 1_000;

    public static final AdmissionConfig DEFAULTS = new AdmissionConfig(null, null, null, 10_000,
            DEFAULT_MAX_HELD_PER_USER, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofMinutes(10), RedisTls.DEFAULT, false);

    /** Children at EE2 left to run when their parallel app is cancelled. */
    public AdmissionConfig(Path policyFile, URI auth, URI redis, int maxHeld, int maxHeldPerUser, Duration recheckEvery,
            Duration authTimeout, Duration ledgerTimeout, Duration provisionalLease, RedisTls redisTls) {
        this(policyFile, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout, provisionalLease,
                redisTls, false);
    }

    /** The default TLS checks. */
    public AdmissionConfig(Path policyFile, URI auth, URI redis, int maxHeld, int maxHeldPerUser, Duration recheckEvery,
            Duration authTimeout, Duration ledgerTimeout, Duration provisionalLease) {
        this(policyFile, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout, provisionalLease,
                RedisTls.DEFAULT);
    }

    /** The default per-user bound (at most {@code maxHeld}). */
    public AdmissionConfig(Path policyFile, URI auth, URI redis, int maxHeld, Duration recheckEvery,
            Duration authTimeout, Duration ledgerTimeout, Duration provisionalLease) {
        this(policyFile, auth, redis, maxHeld, Math.min(maxHeld, DEFAULT_MAX_HELD_PER_USER), recheckEvery, authTimeout,
                ledgerTimeout, provisionalLease);
    }

    public AdmissionConfig {
        Objects.requireNonNull(recheckEvery, "recheckEvery");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(ledgerTimeout, "ledgerTimeout");
        Objects.requireNonNull(provisionalLease, "provisionalLease");
        redisTls = redisTls == null ? RedisTls.DEFAULT : redisTls;
    }

    /** {@link #redis} read as one of the URL forms, or null for the in-memory ledger. */
    public RedisAddress redisAddress() {
        return redis == null ? null : RedisAddress.parse(redis);
    }

    /** The policy file to read: the one named, else {@code config/policy.yaml} if present, else none. */
    public Path policyFileOrDefault() {
        if (policyFile != null) {
            return policyFile;
        }
        return Files.isReadable(DEFAULT_POLICY_FILE) ? DEFAULT_POLICY_FILE : null;
    }

    /**
     * auth2's URL: the one configured, else for a KBase upstream ({@code kbase.us} or
     * {@code *.kbase.us}) {@code <origin>/services/auth/}, where KBase serves auth2 next to EE2;
     * else the upstream's origin, as the EE2 simulator serves both on one port.
     */
    public URI authFor(URI upstream) {
        if (auth != null) {
            return auth;
        }
        String origin = upstream.getScheme() + "://" + upstream.getRawAuthority();
        String host = upstream.getHost() == null ? "" : upstream.getHost().toLowerCase(Locale.ROOT);
        boolean kbase = host.equals("kbase.us") || host.endsWith(".kbase.us");
        return URI.create(kbase ? origin + "/services/auth/" : origin + "/");
    }

    public AdmissionConfig withPolicyFile(Path value) {
        return new AdmissionConfig(value, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withAuth(URI value) {
        return new AdmissionConfig(policyFile, value, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withRedis(URI value) {
        return new AdmissionConfig(policyFile, auth, value, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withMaxHeld(int value) {
        return new AdmissionConfig(policyFile, auth, redis, value, Math.min(value, maxHeldPerUser), recheckEvery, authTimeout, ledgerTimeout, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withMaxHeldPerUser(int value) {
        return new AdmissionConfig(policyFile, auth, redis, maxHeld, value, recheckEvery, authTimeout, ledgerTimeout,
                provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withLedgerTimeout(Duration value) {
        return new AdmissionConfig(policyFile, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, value, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withRecheckEvery(Duration value) {
        return new AdmissionConfig(policyFile, auth, redis, maxHeld, maxHeldPerUser, value, authTimeout, ledgerTimeout, provisionalLease, redisTls, cancelChildrenWithParent);
    }

    public AdmissionConfig withCancelChildrenWithParent(boolean value) {
        return new AdmissionConfig(policyFile, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout,
                provisionalLease, redisTls, value);
    }

    public AdmissionConfig withRedisTls(RedisTls value) {
        return new AdmissionConfig(policyFile, auth, redis, maxHeld, maxHeldPerUser, recheckEvery, authTimeout, ledgerTimeout,
                provisionalLease, value, cancelChildrenWithParent);
    }
}
