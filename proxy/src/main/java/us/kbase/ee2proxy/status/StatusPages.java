package us.kbase.ee2proxy.status;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.identity.Auth2Identity;
import us.kbase.ee2proxy.identity.IdentityException;

/**
 * The scientist's own view, on the main port, with their own KBase token (the Authorization
 * header, or the narrative's {@code kbase_session} cookie): {@code GET .../status} (a page that
 * polls the JSON), {@code GET .../status.json}, and {@code DELETE .../status/calls/ID} to cancel
 * one of their own waiting calls. Paths match by their end, whatever prefix a gateway keeps
 * ({@code /services/ee2/status}). Only these methods on these paths are the proxy's own: every
 * POST still goes to EE2 unchanged. A call of another user is never shown, and cancelling it
 * answers 404, as for a call that does not wait.
 */
public final class StatusPages {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPages.class);
    static final String COOKIE = "kbase_session";
    private static final String CALLS = "/status/calls/";

    private final LiveState live;
    private final Auth2Identity identity;
    private final HoldQueues holds;
    private final ActionLog actions;
    private final String template = Responses.template("status.html");

    /** null: this replica alone */
    private final ReplicaChannel replicas;

    public StatusPages(LiveState live, Auth2Identity identity, HoldQueues holds, ActionLog actions) {
        this(live, identity, holds, actions, null);
    }

    /**
     * @param replicas the other replicas on the same Redis: a cancel reaches the one that holds the
     *     call, and the page lists the user's calls waiting at any replica; null: this replica alone
     */
    public StatusPages(LiveState live, Auth2Identity identity, HoldQueues holds, ActionLog actions,
            ReplicaChannel replicas) {
        this.live = live;
        this.identity = identity;
        this.holds = holds;
        this.actions = actions;
        this.replicas = replicas;
        if (replicas != null) {
            replicas.serve("cancel", ask -> live.call(ask.field("id")).isEmpty() ? null
                    : cancel(ask.field("user"), ask.field("id"), ask.from()));
        }
    }

    /** Whether {@code head} is one of these pages' requests (checked only for methods other than POST). */
    public static boolean serves(HttpRequest head) {
        HttpMethod m = head.method();
        if (HttpMethod.GET.equals(m)) {
            String path = path(head.uri());
            return path.endsWith("/status") || path.endsWith("/status.json");
        }
        return HttpMethod.DELETE.equals(m) && path(head.uri()).contains(CALLS);
    }

    /** The answer; completes on auth2's thread (or at once). */
    public CompletionStage<FullHttpResponse> answer(FullHttpRequest request) {
        String path = path(request.uri());
        String token = token(request);
        if (token == null) {
            return done(Responses.error(HttpResponseStatus.UNAUTHORIZED, "Send your KBase token (the Authorization"
                    + " header, or sign in to KBase so that the browser sends the kbase_session cookie) to see your"
                    + " jobs waiting at the proxy."));
        }
        boolean delete = HttpMethod.DELETE.equals(request.method());
        return identity.user(token)
                .thenCompose(user -> delete ? cancel(user, path.substring(path.indexOf(CALLS) + CALLS.length()), null)
                        : page(user, path))
                .exceptionally(StatusPages::refused);
    }

    private CompletionStage<FullHttpResponse> page(String user, String path) {
        Views.User view = live.user(user, false);
        if (!path.endsWith(".json")) {
            return done(Responses.html(template, view));
        }
        if (replicas == null) {
            return done(Responses.json(HttpResponseStatus.OK, view));
        }
        // The user's calls waiting at other replicas, without the operators' texts.
        return replicas.elsewhere().thenApply(others -> {
            Map<String, List<Views.Waiting>> theirs = new TreeMap<>();
            others.forEach((replica, calls) -> theirs.put(replica, calls.stream().filter(w -> w.user().equals(user))
                    .map(StatusPages::forScientist).toList()));
            return Responses.json(HttpResponseStatus.OK, OperatorPages.withElsewhere(view, replicas.replica(), theirs));
        });
    }

    private static Views.Waiting forScientist(Views.Waiting w) {
        return new Views.Waiting(w.id(), w.user(), w.kind(), w.app(), w.parentJobId(), w.reason(), null, w.position(),
                w.of(), w.waitedSeconds(), w.maxWaitSeconds(), w.atEnd(), w.since(), w.priority());
    }

    /** The owner cancels one of their own waiting calls. */
    /** @param via the replica that received the request, when another one did; null: this one */
    private CompletionStage<FullHttpResponse> cancel(String user, String id, String via) {
        WaitingCall call = live.call(id).orElse(null);
        String notFound = "No job of yours with id " + id + " is waiting at the proxy (it may have started already).";
        if (call == null && replicas != null && via == null) {
            return replicas.ask("cancel", Map.of("user", user, "id", id), notFound, () -> {});
        }
        if (call == null || !call.user().equals(user)) {
            return done(Responses.error(HttpResponseStatus.NOT_FOUND, "No job of yours with id " + id
                    + " is waiting at the proxy (it may have started already)."));
        }
        return holds.refuse(user, id, "you cancelled it on the status page.").thenApply(done -> {
            if (replicas == null) {
                actions.acted(user, "cancel", user, id, "the owner cancelled it", done);
            } else {
                actions.acted(user, via == null ? replicas.replica() : via, "cancel", user, id, "the owner cancelled it",
                        done);
            }
            return done ? Responses.json(HttpResponseStatus.OK, Map.of("cancelled", true, "id", id))
                    : Responses.error(HttpResponseStatus.NOT_FOUND, "The job " + id + " is no longer waiting.");
        });
    }

    /** The answer to a page whose stage failed without one (a bug): an EE2-shaped 500. */
    public static FullHttpResponse failed(Throwable error) {
        return refused(error == null ? new IllegalStateException("no answer") : error);
    }

    static FullHttpResponse refused(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof OperatorPages.Refused r) {
            return Responses.error(r.status, r.getMessage());
        }
        if (cause instanceof IdentityException e && e.reason() == IdentityException.Reason.INVALID_TOKEN) {
            return Responses.error(HttpResponseStatus.UNAUTHORIZED, "KBase auth refused the token: " + e.getMessage());
        }
        if (cause instanceof IdentityException e) {
            return Responses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "Cannot check your token with KBase auth"
                    + " now: " + e.getMessage() + ". Try again in a minute.");
        }
        LOG.warn("status page failed: {}", cause.toString());
        return Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "The status page failed: " + cause);
    }

    /** The Authorization header, else the kbase_session cookie; null when neither is there. */
    static String token(HttpRequest request) {
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && !auth.isBlank()) {
            return auth.trim();
        }
        String cookies = request.headers().get(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(cookies)) {
                if (COOKIE.equals(c.name()) && !c.value().isBlank()) {
                    return c.value();
                }
            }
        }
        return null;
    }

    static String path(String uri) {
        return new QueryStringDecoder(uri).path();
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
