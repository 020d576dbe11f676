package us.kbase.ee2proxy.identity;

import java.net.URI;
import java.time.Duration;

/**
 * @param auth2 auth2's base URL, e.g. {@code https://kbase.us/services/auth/}
 * @param timeout bound on one auth2 request, connect included
 * @param maxCacheTime longest a known token is trusted without asking auth2 again (auth2's own
 *     {@code cachefor} and the token's {@code expires} shorten it)
 * @param invalidCacheTime how long auth2's "invalid token" answer is remembered
 * @param maxEntries bound on cached tokens (each entry is a hash and a user name)
 */
public record IdentitySettings(
        URI auth2, Duration timeout, Duration maxCacheTime, Duration invalidCacheTime, long maxEntries) {

    public IdentitySettings {
        String base = auth2.toString();
        auth2 = base.endsWith("/") ? auth2 : URI.create(base + "/");
        for (Duration d : new Duration[] {timeout, maxCacheTime, invalidCacheTime}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("identity durations must be positive: " + d);
            }
        }
    }

    /** 2 s per request, 5 min at most per token, 10 s for an invalid token, 100k tokens. */
    public static IdentitySettings of(URI auth2) {
        return new IdentitySettings(auth2, Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(10), 100_000);
    }

    public IdentitySettings withTimeout(Duration newTimeout) {
        return new IdentitySettings(auth2, newTimeout, maxCacheTime, invalidCacheTime, maxEntries);
    }

    public IdentitySettings withMaxCacheTime(Duration newMax) {
        return new IdentitySettings(auth2, timeout, newMax, invalidCacheTime, maxEntries);
    }

    public IdentitySettings withInvalidCacheTime(Duration newInvalid) {
        return new IdentitySettings(auth2, timeout, maxCacheTime, newInvalid, maxEntries);
    }
}
