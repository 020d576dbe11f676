package us.kbase.ee2proxy.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import us.kbase.ee2proxy.policy.request.RunJobParams;

/**
 * A loaded, valid admission policy: immutable and safe to share between threads. Built by
 * {@code PolicyLoader} from YAML, by {@link #defaults()}, or by {@link #builder()} in tests.
 * The builder does not validate: only the loader does (it reports every problem with its place
 * in the file), so a hand-built policy is the caller's responsibility.
 */
public final class AdmissionPolicy {

    /** KBase's KBParallel-style apps (EE2's ADRs) and kb_BatchApp's batch runner. */
    public static final List<String> KBASE_PARALLEL_APPS = List.of(
            "kb_Bowtie2", "refseq_importer", "kb_concoct", "kb_phylogenomics", "kb_hisat2",
            "kb_meta_decoder", "kb_Bwa", "kb_BatchApp.run_batch");

    private static final AdmissionPolicy DEFAULTS = builder().source("built-in defaults").build();

    private final String source;
    private final Mode mode;
    private final RedisFailureMode redisFailureMode;
    private final Integer redisReplicas;
    private final Limits defaults;
    private final List<AppPattern> parallelApps;
    private final OwnModuleJobs ownModuleJobs;
    private final Set<String> exemptUsers;
    private final List<UserOverride> overrides;
    private final Map<String, UserOverride> overrideByUser;

    private AdmissionPolicy(Builder b) {
        source = b.source;
        mode = b.mode;
        redisFailureMode = b.redisFailureMode;
        redisReplicas = b.redisReplicas;
        defaults = b.defaults;
        parallelApps = List.copyOf(b.parallelApps);
        ownModuleJobs = b.ownModuleJobs;
        exemptUsers = Set.copyOf(b.exemptUsers);
        overrides = List.copyOf(b.overrides);
        Map<String, UserOverride> byUser = new HashMap<>();
        for (UserOverride o : overrides) {
            for (String u : o.users()) {
                byUser.putIfAbsent(u, o); // the loader refuses a user in two overrides; first wins here
            }
        }
        overrideByUser = Map.copyOf(byUser);
    }

    /** KBase today: 10 slots, the KBParallel-style apps, 5 parallel apps per user, enforce. */
    public static AdmissionPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The policy with the user's override (if any) applied. */
    public EffectivePolicy forUser(String user) {
        UserOverride o = overrideByUser.get(user);
        return new EffectivePolicy(
                user, mode, o == null ? defaults : o.limits(), exemptUsers.contains(user), o == null ? null : o.name());
    }

    /** Whether a job is a parallel (KBParallel-style) app per {@code parents.apps}. */
    public boolean isParallelApp(RunJobParams job) {
        for (AppPattern p : parallelApps) {
            if (p.matches(job)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a parallel app is one only because its whole module is listed (an entry like
     * {@code kb_Bowtie2}), no entry naming its method or app. Only such a job can be a module's
     * worker rather than the app itself: {@code parents.ownModuleJobs} applies to it alone.
     */
    public boolean isParallelByModuleOnly(RunJobParams job) {
        boolean byModule = false;
        for (AppPattern p : parallelApps) {
            if (p.matches(job)) {
                if (p.target() != AppPattern.Target.MODULE) {
                    return false;
                }
                byModule = true;
            }
        }
        return byModule;
    }

    /** The file (or "built-in defaults") this policy came from, for messages. */
    public String source() {
        return source;
    }

    public Mode mode() {
        return mode;
    }

    public RedisFailureMode redisFailureMode() {
        return redisFailureMode;
    }

    /**
     * {@code redis.replicas}: how many proxy replicas share the Redis, as the operator states it;
     * null when not stated (then several may). {@code redis.onFailure: local} requires 1.
     */
    public Integer redisReplicas() {
        return redisReplicas;
    }

    /** The limits of every user without an override. */
    public Limits defaultLimits() {
        return defaults;
    }

    public List<AppPattern> parallelApps() {
        return parallelApps;
    }

    public OwnModuleJobs ownModuleJobs() {
        return ownModuleJobs;
    }

    public Set<String> exemptUsers() {
        return exemptUsers;
    }

    public List<UserOverride> overrides() {
        return overrides;
    }

    /**
     * This policy with {@code first} applied before the file's overrides: a user named in one of
     * them gets its limits, whatever the file says (an operator's temporary override).
     */
    public AdmissionPolicy withOverridesFirst(List<UserOverride> first) {
        Builder b = toBuilder();
        b.overrides = new ArrayList<>(first);
        b.overrides.addAll(overrides);
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = builder().source(source).mode(mode).redisFailureMode(redisFailureMode).redisReplicas(redisReplicas).defaults(defaults)
                .ownModuleJobs(ownModuleJobs);
        b.parallelApps = new ArrayList<>(parallelApps);
        b.exemptUsers = new LinkedHashSet<>(exemptUsers);
        b.overrides = new ArrayList<>(overrides);
        return b;
    }

    @Override
    public String toString() {
        return "AdmissionPolicy[" + source + ", " + mode + ", " + defaults + ", " + overrides.size() + " overrides]";
    }

    /** Builds a policy; every field starts at KBase's default. */
    public static final class Builder {
        private String source = "built-in";
        private Mode mode = Mode.ENFORCE;
        private RedisFailureMode redisFailureMode = RedisFailureMode.WAIT;
        private Integer redisReplicas;
        private Limits defaults = Limits.KBASE;
        private List<AppPattern> parallelApps = new ArrayList<>(KBASE_PARALLEL_APPS.stream().map(AppPattern::of).toList());
        private OwnModuleJobs ownModuleJobs = OwnModuleJobs.CHILD;
        private Set<String> exemptUsers = new LinkedHashSet<>();
        private List<UserOverride> overrides = new ArrayList<>();

        private Builder() {}

        public Builder source(String source) {
            this.source = Objects.requireNonNull(source);
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        public Builder redisFailureMode(RedisFailureMode m) {
            this.redisFailureMode = Objects.requireNonNull(m);
            return this;
        }

        /** null: not stated (several replicas may share the Redis). */
        public Builder redisReplicas(Integer n) {
            this.redisReplicas = n;
            return this;
        }

        public Builder defaults(Limits limits) {
            this.defaults = Objects.requireNonNull(limits);
            return this;
        }

        public Builder parallelApps(List<String> patterns) {
            this.parallelApps = new ArrayList<>(patterns.stream().map(AppPattern::of).toList());
            return this;
        }

        public Builder ownModuleJobs(OwnModuleJobs o) {
            this.ownModuleJobs = Objects.requireNonNull(o);
            return this;
        }

        public Builder exemptUsers(Set<String> users) {
            this.exemptUsers = new LinkedHashSet<>(users);
            return this;
        }

        public Builder override(UserOverride o) {
            this.overrides.add(Objects.requireNonNull(o));
            return this;
        }

        public AdmissionPolicy build() {
            return new AdmissionPolicy(this);
        }
    }
}
