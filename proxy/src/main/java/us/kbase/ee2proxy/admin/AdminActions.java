package us.kbase.ee2proxy.admin;

import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.policyfile.LivePolicy;

/**
 * What the admin port can do beyond {@code /metrics} and {@code /health}.
 *
 * @param policy the policy {@code POST /admin/policy/reload} reloads; null: no such endpoint
 * @param identity auth2, to check that a POST's token holds EE2_ADMIN when the admin port is
 *     bound to a non-loopback address; null: such POSTs are refused
 */
public record AdminActions(LivePolicy policy, Auth2Identity identity) {
    public static final AdminActions NONE = new AdminActions(null, null);
}
