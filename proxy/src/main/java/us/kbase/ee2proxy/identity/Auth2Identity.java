package us.kbase.ee2proxy.identity;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;
import us.kbase.ee2proxy.identity.IdentityException.Reason;

/**
 * Token to KBase user, through auth2 and a cache. The cache is keyed by the token's SHA-256: the
 * token itself is never stored or logged. Concurrent callers with the same token share one auth2
 * request. A known token is believed for the shortest of auth2's {@code cachefor}, the time left
 * before its {@code expires} and the configured maximum; auth2's refusal is remembered for the
 * short invalid-token time; an auth2 failure is not remembered at all (the next call asks again).
 *
 * <p>Futures complete on the HTTP client's threads: a Netty handler hops back to its event loop.
 * Failures are {@link IdentityException}s (wrapped in a CompletionException by the future).
 */
public final class Auth2Identity {

    private sealed interface Lookup permits Owner, Refused {}

    /** @param ttlNanos how long this answer may be believed, from when it arrived */
    private record Owner(String user, long ttlNanos) implements Lookup {}

    private record Refused(String message, long ttlNanos) implements Lookup {}

    private record Roles(Set<String> roles, long ttlNanos) {}

    private final Auth2Client auth2;
    private final IdentitySettings settings;
    private final AsyncCache<String, Lookup> owners;
    private final AsyncCache<String, Roles> roles;

    public Auth2Identity(IdentitySettings settings, MetricRegistry metrics) {
        this.settings = settings;
        this.auth2 = new Auth2Client(settings, metrics);
        this.owners = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfter(expiry((Lookup lookup) -> lookup instanceof Owner o ? o.ttlNanos : ((Refused) lookup).ttlNanos))
                .buildAsync();
        this.roles = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfter(expiry((Roles r) -> r.ttlNanos))
                .buildAsync();
    }

    /** The KBase user who owns {@code token}. */
    public CompletableFuture<String> user(String token) {
        return owner(token).thenApply(Owner::user);
    }

    /** The token owner's auth2 custom roles ({@code EE2_ADMIN}, {@code EE2_ADMIN_RO}, ...). */
    public CompletableFuture<Set<String>> customRoles(String token) {
        return owner(token).thenCompose(owner -> roles
                .get(sha256(token), (key, executor) -> auth2.me(token).thenApply(reply -> {
                    if (reply.refused()) {
                        throw new IdentityException(Reason.INVALID_TOKEN, reply.refusal());
                    }
                    Set<String> custom = new LinkedHashSet<>();
                    reply.body().path("customroles").forEach(role -> custom.add(role.asText()));
                    return new Roles(Set.copyOf(custom), owner.ttlNanos);
                }))
                .thenApply(Roles::roles));
    }

    private CompletableFuture<Owner> owner(String token) {
        if (token == null || token.isBlank()) {
            return CompletableFuture.failedFuture(new IdentityException(Reason.INVALID_TOKEN, "No authentication token"));
        }
        return owners.get(sha256(token), (key, executor) -> auth2.token(token).thenApply(this::lookup))
                .thenApply(lookup -> {
                    if (lookup instanceof Refused refused) {
                        throw new IdentityException(Reason.INVALID_TOKEN, refused.message);
                    }
                    return (Owner) lookup;
                });
    }

    private Lookup lookup(Auth2Client.Reply reply) {
        if (reply.refused()) {
            return new Refused(reply.refusal(), settings.invalidCacheTime().toNanos());
        }
        JsonNode body = reply.body();
        JsonNode user = body.path("user");
        if (!user.isTextual() || user.asText().isEmpty()) {
            throw new IdentityException(Reason.AUTH_UNAVAILABLE, "The KBase auth service named no user for the token");
        }
        long ttlMillis = settings.maxCacheTime().toMillis();
        if (body.path("cachefor").canConvertToLong()) {
            ttlMillis = Math.min(ttlMillis, body.path("cachefor").asLong());
        }
        if (body.path("expires").canConvertToLong()) {
            ttlMillis = Math.min(ttlMillis, body.path("expires").asLong() - System.currentTimeMillis());
        }
        return new Owner(user.asText(), Duration.ofMillis(Math.max(0, ttlMillis)).toNanos());
    }

    /** Each entry lives for the time it carries, from when it was loaded. */
    private static <V> Expiry<String, V> expiry(ToLongFunction<V> ttlNanos) {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String key, V value, long currentTime) {
                return ttlNanos.applyAsLong(value);
            }

            @Override
            public long expireAfterUpdate(String key, V value, long currentTime, long currentDuration) {
                return ttlNanos.applyAsLong(value);
            }

            @Override
            public long expireAfterRead(String key, V value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        };
    }

    static String sha256(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
