package us.kbase.ee2proxy.ledger;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Redis key layout. A user's four keys share the hash tag {@code {<user>}} so one script can
 * touch them all on Redis Cluster; the job index is one key per job (its own slot).
 *
 * <pre>
 * {prefix}:{&lt;user&gt;}:leases   ZSET lease id -&gt; expiry ms (t:&lt;ticket&gt;:&lt;i&gt; | j:&lt;jobId&gt;)
 * {prefix}:{&lt;user&gt;}:parents  ZSET the parent leases, same scores
 * {prefix}:{&lt;user&gt;}:claims   HASH lease id -&gt; "&lt;0|1&gt;:&lt;depth&gt;:&lt;app&gt;"; field "own" -&gt; until when (ms,
 *                             Redis time) the user's last own call keeps their reserve (children.reserveFor)
 * {prefix}:{&lt;user&gt;}:gone     ZSET released job id -&gt; tombstone expiry ms
 * {prefix}:job:{&lt;jobId&gt;}      STRING the job's owner (user name, raw), TTL = bound lease TTL
 * {prefix}:released           pub/sub channel; message = user name (raw)
 * {prefix}:actions, :replies  pub/sub channels: actions on a call another replica holds (status.ReplicaChannel)
 * {prefix}:{waiting}          HASH replica id -&gt; its waiting calls (JSON), refreshed every few seconds
 * {prefix}:{limits}           HASH user -&gt; the operators' cap override in force (JSON, with its end)
 * {prefix}:generation         STRING which data set Redis holds: ready:&lt;id&gt; | rebuilding:&lt;id&gt;
 * </pre>
 *
 * User names and job ids are percent-encoded (every byte outside {@code [A-Za-z0-9_.-]}), so no
 * name can forge a hash tag, a separator or a SCAN glob.
 */
final class LedgerKeys {
    private static final String SUFFIX_LEASES = ":leases";
    private final String prefix;

    LedgerKeys(String prefix) {
        if (prefix.isEmpty() || !encode(prefix).equals(prefix)) {
            throw new IllegalArgumentException("key prefix must match [A-Za-z0-9_.-]+: " + prefix);
        }
        this.prefix = prefix;
    }

    /** leases, parents, claims, gone: the KEYS of every ledger script, in that order. */
    List<Object> userKeys(String user) {
        String base = prefix + ":{" + encodeUser(user) + "}";
        return List.of(base + SUFFIX_LEASES, base + ":parents", base + ":claims", base + ":gone");
    }

    String jobOwner(String jobId) {
        return prefix + ":job:{" + encode(jobId) + "}";
    }

    String generation() {
        return prefix + ":generation";
    }

    /** Another key or channel of this ledger's Redis: {@code {prefix}:NAME}. */
    String named(String name) {
        return prefix + ":" + name;
    }

    String releaseChannel() {
        return prefix + ":released";
    }

    /** A SCAN pattern matching every user's leases key. */
    String leasesPattern() {
        return prefix + ":{*}" + SUFFIX_LEASES;
    }

    /** The user whose leases key this is (inverse of {@link #userKeys}). */
    String userOfLeasesKey(String key) {
        String encoded = key.substring(prefix.length() + 2, key.length() - SUFFIX_LEASES.length() - 1);
        return decodeUser(encoded);
    }

    /** Never empty: an empty hash tag {} would spread a user's keys over a cluster's slots. */
    static String encodeUser(String user) {
        return user.isEmpty() ? "%" : encode(user);
    }

    static String decodeUser(String encoded) {
        return encoded.equals("%") ? "" : decode(encoded);
    }

    static String encode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                bytes.write(Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
