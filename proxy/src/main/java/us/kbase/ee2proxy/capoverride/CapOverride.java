package us.kbase.ee2proxy.capoverride;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.UserOverride;

/**
 * One user's temporary caps: {@code parents.maxPerUser} (C_0) until a time.
 *
 * @param user the ledger user
 * @param parentsMaxPerUser the cap in force until {@code until}
 * @param until when it ends by itself
 * @param by who set it (for the pages and the audit log)
 * @param why what they said
 */
public record CapOverride(String user, int parentsMaxPerUser, Instant until, String by, String why) {
    public CapOverride {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(by, "by");
        why = why == null ? "" : why;
    }

    public boolean activeAt(Instant now) {
        return now.isBefore(until);
    }

    /**
     * As a policy override on top of what the file gives the user; its name is what the pages show
     * as the limits' source ("override until ... by ...: ...").
     */
    UserOverride over(EffectivePolicy file) {
        String name = "until " + until + " by " + by + ": " + why
                + (file.override() == null ? "" : " (over " + file.override() + ")");
        return new UserOverride(name, List.of(user), file.limits().withParentsMaxPerUser(parentsMaxPerUser),
                Set.of("parents.maxPerUser"));
    }
}
