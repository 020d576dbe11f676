package us.kbase.ee2proxy.policyfile;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;
import us.kbase.ee2proxy.policy.load.Problem;

/**
 * The policy in force, read by admission at every decision, and swapped whole when its file is
 * reloaded. A file that does not load keeps the old policy: each problem is logged at WARN as
 * {@code file:line:column: what} with its fix, and {@code ee2proxy_policy_reload_failures_total}
 * counts it. A successful reload logs the new effective limits.
 */
public final class LivePolicy implements java.util.function.Supplier<AdmissionPolicy> {
    private static final Logger LOG = LoggerFactory.getLogger(LivePolicy.class);

    /** What a reload did: {@code applied} false means the old policy is still in force. */
    public record Reload(boolean applied, String message) {}

    private final Path file;
    private final Counter failures;
    private final Counter reloads;
    private volatile AdmissionPolicy current;
    /**
     * Digest of the file last read, loaded or rejected: the watcher does not read the same content
     * twice (a rejected file is reported once, not at every event in its directory).
     */
    private byte[] lastDigest;

    /**
     * @param file the policy file to reload from, or null for a policy that has none (built-in
     *     defaults): a reload then says so and changes nothing
     * @param initial the policy loaded at start-up
     */
    public LivePolicy(Path file, AdmissionPolicy initial, MetricRegistry metrics) {
        this.file = file;
        this.current = Objects.requireNonNull(initial, "initial");
        this.failures = metrics.counter("ee2proxy.policy.reload.failures");
        this.reloads = metrics.counter("ee2proxy.policy.reloads");
        this.lastDigest = file == null ? null : digest(file);
    }

    @Override
    public AdmissionPolicy get() {
        return current;
    }

    /** The file reloads read, or null. */
    public Path file() {
        return file;
    }

    /** Reloads the file now, whether or not it changed (the admin endpoint). */
    public Reload reload() {
        return reload(true);
    }

    /** Reloads the file if its content changed since it was last read (the watcher). */
    public Reload reloadIfChanged() {
        return reload(false);
    }

    private synchronized Reload reload(boolean always) {
        if (file == null) {
            return new Reload(false, "no policy file was given at start-up (built-in defaults); nothing to reload");
        }
        byte[] digest = digest(file);
        if (!always && digest != null && Arrays.equals(digest, lastDigest)) {
            return new Reload(false, file + " is unchanged since it was last read");
        }
        lastDigest = digest;
        AdmissionPolicy next;
        try {
            next = PolicyLoader.load(file);
        } catch (PolicyException e) {
            failures.inc();
            for (Problem p : e.problems()) {
                LOG.warn("policy reload rejected, keeping the policy in force: {}:{}:{}: {} (fix: {})", p.source(), p.line(),
                        p.column(), p.what(), p.fix());
            }
            return new Reload(false, e.getMessage() + System.lineSeparator()
                    + "The policy in force is unchanged.");
        }
        current = next;
        reloads.inc();
        String limits = describe(next);
        LOG.info("policy reloaded from {}: {}", file, limits);
        return new Reload(true, "reloaded " + file + ": " + limits);
    }

    /** The effective limits in one line, for the log and the endpoint's answer. */
    static String describe(AdmissionPolicy p) {
        StringBuilder sb = new StringBuilder();
        sb.append("mode ").append(lower(p.mode())).append(", redis.onFailure ").append(lower(p.redisFailureMode()));
        sb.append("; defaults ").append(limits(p.defaultLimits()));
        for (UserOverride o : p.overrides()) {
            sb.append("; override ").append(o.name()).append(" (").append(String.join(", ", o.users())).append(") ")
                    .append(limits(o.limits()));
        }
        if (!p.exemptUsers().isEmpty()) {
            sb.append("; exempt ").append(p.exemptUsers().stream().sorted().collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }

    private static String limits(Limits l) {
        return String.format(Locale.ROOT, "slots %d, parents %d (+1 per level to depth %d, %s, %ds), children.maxQueued %d "
                + "(%ds), children.reserve %d, children.reserveFor %s, children.perParent %d, ownJobs.maxQueued %s (%ds)", l.slots(), l.parentsMaxPerUser(), l.parentsMaxNestingDepth(),
                lower(l.parentsWhenFull()), l.parentsMaxWait().toSeconds(), l.childrenMaxQueued(),
                l.childrenMaxWait().toSeconds(), l.childrenReserve(), l.reserveForText(), l.childrenPerParent(),
                l.ownJobsMaxQueued() == Limits.OWN_JOBS_NEVER_WAIT ? "never wait" : Integer.toString(l.ownJobsMaxQueued()),
                l.ownJobsMaxWait().toSeconds());
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The file's SHA-256, or null when it cannot be read (the loader then says why). */
    private static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
