package us.kbase.ee2proxy.status;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import us.kbase.ee2proxy.capoverride.CapOverrides;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.identity.Auth2Identity;

/**
 * Every user's view, for operators, on the admin port: {@code GET /state.json} (all users and the
 * global figures), {@code GET /waiting} (every waiting call, one line each, as Kubernetes APF's
 * {@code dump_requests}; {@code /waiting.json} the same as JSON), {@code GET /console} (a page
 * polling /state.json), and the actions on one waiting call:
 * {@code POST /calls/ID/release} (admit it now, whatever the counts), {@code POST /calls/ID/refuse}
 * (answer it "not submitted" with the operator's message) and {@code POST /calls/ID/front} (first
 * among its user's waiting calls of its kind: each stays in its HoldOrder group). An action's
 * body is JSON {@code {"why": "...", "message": "..."}} (or the query's {@code why=}); each is
 * audited ({@link ActionLog}). {@code POST|DELETE /users/NAME/limits} sets or ends a user's
 * temporary cap ({@link CapOverrideAction}). On an admin port bound to a non-loopback address every request
 * needs a KBase token: the views one with EE2_ADMIN or EE2_ADMIN_RO, the actions one with EE2_ADMIN.
 */
public final class OperatorPages {
    static final String EE2_ADMIN = "EE2_ADMIN";
    static final String EE2_ADMIN_RO = "EE2_ADMIN_RO";
    private static final Pattern ACTION = Pattern.compile("/calls/([^/]+)/(release|refuse|front)");
    private static final Pattern LIMITS = Pattern.compile("/users/([^/]+)/limits");
    private static final Set<String> VIEWS = Set.of("/state.json", "/waiting", "/waiting.json", "/console");

    private final LiveState live;
    private final HoldQueues holds;
    private final ActionLog actions;
    private final Auth2Identity identity;
    /** null: no override of a user's limits here */
    private final CapOverrideAction limits;
    /** null: one replica, or no Redis: actions and views reach only this replica's calls */
    private final ReplicaChannel replicas;
    private final String template = Responses.template("console.html");

    /** @param identity auth2, to check tokens on an exposed admin port; null: such requests are refused */
    public OperatorPages(LiveState live, HoldQueues holds, ActionLog actions, Auth2Identity identity) {
        this(live, holds, actions, identity, null);
    }

    /** @param overrides the temporary overrides of users' limits {@code /users/NAME/limits} sets */
    public OperatorPages(LiveState live, HoldQueues holds, ActionLog actions, Auth2Identity identity,
            CapOverrides overrides) {
        this(live, holds, actions, identity, overrides, null);
    }

    /**
     * @param replicas the other replicas on the same Redis: an action on a call one of them holds
     *     reaches it, and the views list their waiting calls too; null: this replica alone
     */
    public OperatorPages(LiveState live, HoldQueues holds, ActionLog actions, Auth2Identity identity,
            CapOverrides overrides, ReplicaChannel replicas) {
        this.live = live;
        this.holds = holds;
        this.actions = actions;
        this.identity = identity;
        this.replicas = replicas;
        this.limits = overrides == null ? null : new CapOverrideAction(overrides, holds, actions, replicas);
        if (replicas != null) {
            replicas.serve("call", ask -> live.call(ask.field("id")).isEmpty() ? null
                    : act(ask.field("who"), ask.from(), ask.field("verb"), ask.field("id"), ask.field("why"),
                            ask.field("message")));
        }
    }

    public static boolean serves(String path) {
        return VIEWS.contains(path) || ACTION.matcher(path).matches() || LIMITS.matcher(path).matches();
    }

    /**
     * @param exposed the admin port listens on a non-loopback address
     */
    public CompletionStage<FullHttpResponse> answer(FullHttpRequest request, boolean exposed) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        Matcher limit = LIMITS.matcher(path);
        if (limit.matches()) {
            return limits(request, exposed, QueryStringDecoder.decodeComponent(limit.group(1)));
        }
        Matcher action = ACTION.matcher(path);
        boolean post = HttpMethod.POST.equals(request.method());
        if (action.matches() != post || !(post || HttpMethod.GET.equals(request.method()))) {
            return done(Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    action.matches() ? "POST only" : "GET only"));
        }
        String token = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        CompletionStage<String> who = caller(token, exposed, post ? Set.of(EE2_ADMIN) : Set.of(EE2_ADMIN, EE2_ADMIN_RO));
        if (!post) {
            return who.thenCompose(w -> view(path)).exceptionally(StatusPages::refused);
        }
        String id = action.group(1);
        String verb = action.group(2);
        Map<String, String> said = said(request, uri);
        return who.thenCompose(w -> act(w, null, verb, id, said.get("why"), said.get("message")))
                .exceptionally(StatusPages::refused);
    }

    /** POST or DELETE {@code /users/NAME/limits}: EE2_ADMIN, as every action. */
    private CompletionStage<FullHttpResponse> limits(FullHttpRequest request, boolean exposed, String user) {
        if (!HttpMethod.POST.equals(request.method()) && !HttpMethod.DELETE.equals(request.method())) {
            return done(Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST (set) or DELETE (end) only"));
        }
        if (limits == null) {
            return done(Responses.error(HttpResponseStatus.NOT_FOUND, "no overrides of users' limits on this proxy"));
        }
        String token = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        // The body is read now: Netty frees the request once this handler returns.
        FullHttpRequest copy = request.copy();
        return caller(token, exposed, Set.of(EE2_ADMIN)).thenApply(who -> limits.act(who, user, copy))
                .exceptionally(StatusPages::refused)
                .whenComplete((r, e) -> copy.release());
    }

    private CompletionStage<FullHttpResponse> view(String path) {
        if (replicas == null) {
            return done(view(path, Map.of()));
        }
        return replicas.elsewhere().thenApply(others -> view(path, others));
    }

    /** @param others the other replicas' waiting calls, by replica */
    private FullHttpResponse view(String path, Map<String, List<Views.Waiting>> others) {
        String here = replicas == null ? "-" : replicas.replica();
        return switch (path) {
            case "/state.json" -> Responses.json(HttpResponseStatus.OK, withElsewhere(live.state(), here, others));
            case "/waiting.json" -> Responses.json(HttpResponseStatus.OK, replicas == null ? live.waitingCalls()
                    : everywhere(live.waitingCalls(), here, others));
            case "/waiting" -> Responses.bytes(HttpResponseStatus.OK, "text/plain; charset=utf-8",
                    dump(live.waitingCalls(), here, others).getBytes(StandardCharsets.UTF_8));
            default -> Responses.html(template, live.state());
        };
    }

    /** The state with {@code replica} (this one) and {@code waitingElsewhere} (the other replicas' calls). */
    static Object withElsewhere(Object state, String here, Map<String, List<Views.Waiting>> others) {
        if (others.isEmpty() && "-".equals(here)) {
            return state;
        }
        ObjectNode out = Responses.JSON.valueToTree(state);
        out.put("replica", here);
        out.set("waitingElsewhere", Responses.JSON.valueToTree(everywhere(List.of(), here, others)));
        return out;
    }

    /** Every waiting call, each marked with the replica that holds it. */
    private static List<Map<String, Object>> everywhere(List<Views.Waiting> mine, String here,
            Map<String, List<Views.Waiting>> others) {
        List<Map<String, Object>> all = new ArrayList<>();
        mine.forEach(w -> all.add(marked(w, here)));
        others.forEach((replica, calls) -> calls.forEach(w -> all.add(marked(w, replica))));
        return all;
    }

    private static Map<String, Object> marked(Views.Waiting w, String replica) {
        Map<String, Object> m = Responses.JSON.convertValue(w, new TypeReference<LinkedHashMap<String, Object>>() {});
        m.put("replica", replica);
        return m;
    }

    static String dump(List<Views.Waiting> calls) {
        return dump(calls, "-", Map.of());
    }

    /** One line per waiting call, fixed columns first (APF's dump_requests); the last names the replica holding it. */
    static String dump(List<Views.Waiting> calls, String here, Map<String, List<Views.Waiting>> others) {
        StringBuilder out = new StringBuilder("id\tuser\tposition\tkind\tapp\tparentJobId\twaitedSeconds\tmaxWaitSeconds"
                + "\tpriority\tsince\treason\treplica\n");
        line(out, calls, here);
        others.forEach((replica, theirs) -> line(out, theirs, replica));
        return out.toString();
    }

    private static void line(StringBuilder out, List<Views.Waiting> calls, String replica) {
        for (Views.Waiting w : calls) {
            out.append(w.id()).append('\t').append(w.user()).append('\t').append(w.position()).append('/').append(w.of())
                    .append('\t').append(w.kind()).append('\t').append(w.app()).append('\t')
                    .append(w.parentJobId() == null ? "-" : w.parentJobId()).append('\t').append(w.waitedSeconds())
                    .append('\t').append(w.maxWaitSeconds()).append('\t').append(w.priority()).append('\t')
                    .append(w.since()).append('\t').append(w.adminReason()).append('\t').append(replica).append('\n');
        }
    }

    /**
     * @param via the replica that received the request, when another one did (this one holds the
     *     call); null: this one did
     */
    private CompletionStage<FullHttpResponse> act(String who, String via, String verb, String id, String why,
            String message) {
        WaitingCall call = live.call(id).orElse(null);
        if (call == null && replicas != null && via == null) {
            Map<String, String> fields = new HashMap<>();
            fields.put("who", who);
            fields.put("verb", verb);
            fields.put("id", id);
            fields.put("why", why);
            fields.put("message", message);
            return replicas.ask("call", fields, "no replica holds a call " + id + " now",
                    () -> actions.acted(who, replicas.replica(), verb, null, id, why, false));
        }
        if (call == null) {
            actions.acted(who, verb, null, id, why, false);
            return done(Responses.error(HttpResponseStatus.NOT_FOUND, "no call " + id + " waits at this replica now"));
        }
        if ((why == null || why.isBlank())) {
            return done(Responses.error(HttpResponseStatus.BAD_REQUEST, "say why: {\"why\": \"...\"} (it goes to the audit log)"));
        }
        String user = call.user();
        CompletionStage<Boolean> done = switch (verb) {
            case "release" -> holds.release(user, id);
            case "refuse" -> holds.refuse(user, id, message == null || message.isBlank()
                    ? "a KBase operator refused it (" + why + ")." : message);
            default -> holds.move(user, id, frontPriority(user));
        };
        return done.thenApply(ok -> {
            if (replicas == null) {
                actions.acted(who, verb, user, id, why, ok);
            } else {
                actions.acted(who, via == null ? replicas.replica() : via, verb, user, id, why, ok);
            }
            return ok ? Responses.json(HttpResponseStatus.OK, Map.of("done", true, "action", verb, "id", id, "user", user))
                    : Responses.error(HttpResponseStatus.CONFLICT, live.call(id).isPresent()
                            ? "call " + id + " still waits: the ledger did not take its slots now; try again"
                            : "call " + id + " is no longer waiting");
        });
    }

    /** One more than any of the user's waiting calls has: the front of its kind. */
    private int frontPriority(String user) {
        int max = 0;
        for (Views.Waiting w : live.user(user, true).waiting()) {
            max = Math.max(max, w.priority());
        }
        return max + 1;
    }

    /**
     * Who acts: on a loopback admin port anyone who can reach it (named by their token's user when
     * they send one); on an exposed one only a token whose owner holds one of {@code roles}.
     */
    private CompletionStage<String> caller(String token, boolean exposed, Set<String> roles) {
        boolean hasToken = token != null && !token.isBlank();
        if (!exposed && (!hasToken || identity == null)) {
            return done("loopback operator");
        }
        if (identity == null) {
            return CompletableFuture.failedFuture(new Refused(HttpResponseStatus.FORBIDDEN, "the admin port is exposed"
                    + " and no auth2 is configured to check an EE2_ADMIN token; bind it to 127.0.0.1 or configure auth2"));
        }
        if (!hasToken) {
            return CompletableFuture.failedFuture(new Refused(HttpResponseStatus.UNAUTHORIZED,
                    "send a KBase token with the " + String.join(" or ", roles) + " role in the Authorization header"));
        }
        return identity.user(token).thenCombine(identity.customRoles(token), (user, has) -> {
            if (exposed && has.stream().noneMatch(roles::contains)) {
                throw new Refused(HttpResponseStatus.FORBIDDEN, user + " does not have the " + String.join(" or ", roles)
                        + " role");
            }
            return user;
        });
    }

    private static Map<String, String> said(FullHttpRequest request, QueryStringDecoder uri) {
        String why = uri.parameters().getOrDefault("why", List.of("")).get(0);
        String message = uri.parameters().getOrDefault("message", List.of("")).get(0);
        if (request.content().isReadable()) {
            try {
                JsonNode body = Responses.JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
                why = body.path("why").asText(why);
                message = body.path("message").asText(message);
            } catch (IOException e) {
                // not JSON: only the query counts
            }
        }
        return Map.of("why", why, "message", message);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** A request the caller may not make, with the status to answer. */
    static final class Refused extends RuntimeException {
        final HttpResponseStatus status;

        Refused(HttpResponseStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
