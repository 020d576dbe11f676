package us.kbase.ee2proxy.sim.rpc;

import us.kbase.ee2proxy.sim.auth.Identity;

/**
 * Who called: EE2's {@code ctx} after its token check.
 *
 * @param token the Authorization header as sent, or null
 * @param identity auth2's answer for it, or null (no token on an optional or open method)
 */
public record Caller(String token, Identity identity) {
    static final Caller ANONYMOUS = new Caller(null, null);

    public String user() {
        return identity == null ? null : identity.user();
    }
}
