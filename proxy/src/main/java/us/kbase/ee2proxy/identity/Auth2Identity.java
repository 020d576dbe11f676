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
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.identity.IdentityException.Reason;

/**
 * Token to KBase user, through auth2 and a cache. The cache is keyed by the token's SHA-256: the
 * token itself is never stored or logged. Concurrent callers with the same token share one auth2
 * request. A known token is believed for the shortest of auth2's {@code cachefor}, the time left
 * before its {@code expires} and the configured maximum; auth2's refusal is remembered for the
 * short invalid-token time; an auth2 failure is not remembered at all (the next call asks again).
 *
 * <p>A lookup that fails is stored as a value that expires at once, never as a failed future:
 * Caffeine logs a stack trace for every failed asynchronous load, and an auth2 outage would fill
 * the log with them. Instead each failed lookup is one line, at most one WARN per
 * {@link #WARN_EVERY} (the others at DEBUG, counted in the next WARN).
 *
 * <p>Futures complete on the HTTP client's threads: a Netty handler hops back to its event loop.
 * Failures are {@link IdentityException}s (wrapped in a CompletionException by the future).
 */
public final class Auth2Identity {

    private static final Logger LOG = LoggerFactory.getLogger(Auth2Identity.class);
    /** At most one WARN per this long about failed lookups; the rest at DEBUG. */
    static final Duration WARN_EVERY = Duration.ofSeconds(10);

    private sealed interface Lookup permits Owner, Refused, Unverified {}

    /** @param ttlNanos how long this answer may be believed, from when it arrived */
    private record Owner(String user, long ttlNanos) implements Lookup {}

    private record Refused(String message, long ttlNanos) implements Lookup {}

    /** auth2 could not say: shared by the callers waiting for it, then forgotten at once. */
    private record Unverified(IdentityException error) implements Lookup {}

    /** The roles, or why they could not be read ({@code error} non-null: forgotten at once). */
    private record Roles(Set<String> roles, long ttlNanos, IdentityException error) {}

    private final Auth2Client auth2;
    private final IdentitySettings settings;
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());
    private final AtomicLong quietFailures = new AtomicLong();
    private final AsyncCache<String, Lookup> owners;
    private final AsyncCache<String, Roles> roles;

    public Auth2Identity(IdentitySettings settings, MetricRegistry metrics) {
        this.settings = settings;
        this.auth2 = new Auth2Client(settings, metrics);
        this.owners = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfter(expiry((Lookup lookup) -> lookup instanceof Owner o ? o.ttlNanos
                        : lookup instanceof Refused r ? r.ttlNanos
                        : 0L))
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
                    return new Roles(Set.copyOf(custom), owner.ttlNanos, null);
                }).exceptionally(error -> new Roles(Set.of(), 0, failed("roles", error))))
                .thenApply(roles -> {
                    if (roles.error != null) {
                        throw roles.error;
                    }
                    return roles.roles;
                }));
    }

    private CompletableFuture<Owner> owner(String token) {
        if (token == null || token.isBlank()) {
            return CompletableFuture.failedFuture(new IdentityException(Reason.INVALID_TOKEN, "No authentication token"));
        }
        return owners.get(sha256(token), (key, executor) -> auth2.token(token).thenApply(this::lookup)
                        .exceptionally(error -> new Unverified(failed("owner", error))))
                .thenApply(lookup -> {
                    if (lookup instanceof Refused refused) {
                        throw new IdentityException(Reason.INVALID_TOKEN, refused.message);
                    }
                    if (lookup instanceof Unverified unverified) {
                        throw unverified.error;
                    }
                    return (Owner) lookup;
                });
    }

    /**
     * What a lookup that threw means for its callers, logged as one line: an auth2 refusal stays
     * one (of /me, after /token accepted the token), anything else is "could not verify".
     */
    private IdentityException failed(String what, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        IdentityException e = cause instanceof IdentityException ie ? ie
                : new IdentityException(Reason.AUTH_UNAVAILABLE, "The KBase auth service could not be asked: " + cause);
        if (e.reason() == Reason.AUTH_UNAVAILABLE) {
            long now = System.nanoTime();
            long last = lastWarn.get();
            if (now - last >= WARN_EVERY.toNanos() && lastWarn.compareAndSet(last, now)) {
                long quiet = quietFailures.getAndSet(0);
                LOG.warn("could not verify a token's {} with KBase auth: {}{}", what, e.getMessage(),
                        quiet == 0 ? "" : " (" + quiet + " more such failures since the last warning)");
            } else {
                quietFailures.incrementAndGet();
                LOG.debug("could not verify a token's {} with KBase auth: {}", what, e.getMessage());
            }
        }
        return e;
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
