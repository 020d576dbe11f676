package us.kbase.ee2proxy.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code overrides}: a group of users (a lab, a service account) with their own limits.
 *
 * @param name the entry's name for messages and {@code check-policy} ("smith-lab")
 * @param users the KBase user ids it applies to; a user is in at most one override
 * @param limits the complete effective limits (the policy's defaults with this entry's keys applied)
 * @param keys the keys this entry sets ("slots", "parents.maxPerUser", ...), for display
 */
public record UserOverride(String name, List<String> users, Limits limits, Set<String> keys) {
    public UserOverride {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        users = List.copyOf(users);
        keys = Set.copyOf(keys);
    }
}
