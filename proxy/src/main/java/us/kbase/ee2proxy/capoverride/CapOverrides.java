package us.kbase.ee2proxy.capoverride;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;

/**
 * The policy decisions read: the file's (reloads included) with the operators' temporary
 * overrides on top. An override ends when the clock passes its end, at the next read: no timer.
 * The composed policy is kept until the file's policy, the overrides or the clock change it, so a
 * decision does not rebuild it.
 */
public final class CapOverrides implements Supplier<AdmissionPolicy> {
    private record Composed(AdmissionPolicy file, long version, Instant validUntil, AdmissionPolicy policy) {}

    private final Supplier<AdmissionPolicy> file;
    private final Clock clock;
    private final Map<String, CapOverride> byUser = new ConcurrentHashMap<>();
    private volatile long version;
    private volatile Composed composed;

    public CapOverrides(Supplier<AdmissionPolicy> file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    @Override
    public AdmissionPolicy get() {
        AdmissionPolicy base = file.get();
        if (byUser.isEmpty()) {
            return base;
        }
        Instant now = clock.instant();
        Composed c = composed;
        if (c != null && c.file() == base && c.version() == version && now.isBefore(c.validUntil())) {
            return c.policy();
        }
        long v = version;
        List<UserOverride> first = new ArrayList<>();
        Instant validUntil = Instant.MAX;
        for (CapOverride o : byUser.values()) {
            if (o.activeAt(now)) {
                first.add(o.over(base.forUser(o.user())));
                validUntil = o.until().isBefore(validUntil) ? o.until() : validUntil;
            } else {
                byUser.remove(o.user(), o);
            }
        }
        AdmissionPolicy policy = first.isEmpty() ? base : base.withOverridesFirst(first);
        composed = new Composed(base, v, validUntil, policy);
        return policy;
    }

    /**
     * Why {@code parentsMaxPerUser} cannot be the user's cap under the file's limits, or empty: the
     * policy's rule {@code maxPerUser + maxNestingDepth <= slots - 1} keeps a slot free of parallel
     * apps, so their children can always run.
     */
    public Optional<String> problem(String user, int parentsMaxPerUser) {
        Limits l = file.get().forUser(user).limits();
        int most = l.slots() - 1 - l.parentsMaxNestingDepth();
        if (parentsMaxPerUser < 1 || parentsMaxPerUser > most) {
            return Optional.of("parentsMaxPerUser must be between 1 and " + most + " for " + user + " (slots " + l.slots()
                    + ", parents.maxNestingDepth " + l.parentsMaxNestingDepth()
                    + ": maxPerUser + maxNestingDepth <= slots - 1 keeps a slot free for children)");
        }
        return Optional.empty();
    }

    /** Sets (or replaces) the user's override. */
    public synchronized void set(CapOverride o) {
        byUser.put(o.user(), o);
        version++;
    }

    /** Ends the user's override now; the one that was in force, if any. */
    public synchronized Optional<CapOverride> end(String user) {
        CapOverride o = byUser.remove(user);
        version++;
        return Optional.ofNullable(o).filter(x -> x.activeAt(clock.instant()));
    }

    /** The user's override in force now, if any. */
    public Optional<CapOverride> of(String user) {
        return Optional.ofNullable(byUser.get(user)).filter(o -> o.activeAt(clock.instant()));
    }

    public Clock clock() {
        return clock;
    }
}
