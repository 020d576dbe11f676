package us.kbase.ee2proxy.sim.auth;

import java.util.List;

/**
 * What auth2 knows about one token.
 *
 * @param tokenId auth2's id for the token (a UUID)
 * @param user the user name
 * @param customRoles e.g. EE2_ADMIN, EE2_ADMIN_RO
 * @param created epoch millis
 * @param expires epoch millis
 */
public record Identity(String tokenId, String user, List<String> customRoles, long created, long expires) {
    public Identity {
        customRoles = List.copyOf(customRoles);
    }

    /** EE2's write admin. */
    public boolean ee2Admin() {
        return customRoles.contains("EE2_ADMIN");
    }

    /** EE2's read-only (or write) admin. */
    public boolean ee2Reader() {
        return ee2Admin() || customRoles.contains("EE2_ADMIN_RO");
    }
}
