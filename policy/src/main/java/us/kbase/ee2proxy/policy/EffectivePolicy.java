package us.kbase.ee2proxy.policy;

import java.util.Objects;

/**
 * The policy as it applies to one ledger user: overrides resolved. Decisions read only this.
 *
 * @param user the ledger user (the token's user, or {@code bill_to_user})
 * @param mode enforce or shadow
 * @param limits the user's limits
 * @param exempt the user is listed under {@code exempt.users} (for logs: the classifier already makes
 *     their calls {@code Exempt}, and decisions read the class, not this flag)
 * @param override the name of the override that applies, or null for the defaults
 */
public record EffectivePolicy(String user, Mode mode, Limits limits, boolean exempt, String override) {
    public EffectivePolicy {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(limits, "limits");
    }

    /** Where the user's limits come from, for admin texts: "defaults" or "override smith-lab". */
    public String limitsSource() {
        return override == null ? "defaults" : "override " + override;
    }
}
