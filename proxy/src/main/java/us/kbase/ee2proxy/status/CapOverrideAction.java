package us.kbase.ee2proxy.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.capoverride.CapOverride;
import us.kbase.ee2proxy.capoverride.CapOverrides;
import us.kbase.ee2proxy.hold.HoldQueues;
import us.kbase.ee2proxy.policy.DurationText;

/**
 * {@code POST /users/NAME/limits} with {@code {"parentsMaxPerUser": 8, "until": "2026-12-04T18:00:00Z"}}
 * (or {@code "for": "3h"}) and {@code "why"}: the user's parallel-app cap until then;
 * {@code DELETE /users/NAME/limits} ends it early. Either way the user's waiting calls are decided
 * again at once with the limits now in force (raised: they go in if they fit; lowered: running
 * jobs stay, only new decisions see it), and again when the override ends by itself.
 */
final class CapOverrideAction {
    private static final Logger LOG = LoggerFactory.getLogger(CapOverrideAction.class);
    /** A temporary override is for an afternoon or a deadline; a standing one belongs in the file. */
    static final Duration LONGEST = Duration.ofDays(31);

    private final CapOverrides overrides;
    private final HoldQueues holds;
    private final ActionLog actions;

    /** null: this replica alone */
    private final ReplicaChannel replicas;

    /** @param replicas the other replicas on the same Redis, told of every change (null: none) */
    CapOverrideAction(CapOverrides overrides, HoldQueues holds, ActionLog actions, ReplicaChannel replicas) {
        this.overrides = overrides;
        this.holds = holds;
        this.actions = actions;
        this.replicas = replicas;
        if (replicas != null) {
            replicas.serve("limits", ask -> {
                told(ask.fields(), "replica " + ask.from());
                return null; // no answer: every replica applies it
            });
            // Those set before this replica started, still in force.
            replicas.kept().whenComplete((kept, error) -> {
                if (error != null) {
                    LOG.warn("cannot read the cap overrides kept in Redis: {}", error.toString());
                    return;
                }
                for (Map<String, String> fields : kept) {
                    if (fields.get("until") != null && Instant.parse(fields.get("until")).isAfter(overrides.clock().instant())) {
                        told(fields, "Redis");
                    } else {
                        replicas.forget(fields.get("user"));
                    }
                }
            });
        }
    }

    /**
     * Another replica's operator changed a user's limits (or did before this replica started): the
     * same here (audited there, once).
     */
    private void told(Map<String, String> fields, String from) {
        String user = fields.get("user");
        try {
            if (fields.get("until") == null) {
                overrides.end(user);
                holds.decideAgain(user, Duration.ZERO);
                return;
            }
            Instant until = Instant.parse(fields.get("until"));
            overrides.set(new CapOverride(user, Integer.parseInt(fields.get("parentsMaxPerUser")), until,
                    fields.get("by"), fields.get("why")));
            holds.decideAgain(user, Duration.ZERO);
            holds.decideAgain(user, Duration.between(overrides.clock().instant(), until));
        } catch (RuntimeException e) {
            LOG.warn("ignored a change of {}'s limits from {}: {}", user, from, e.toString());
        }
    }

    private void tell(String user, CapOverride set) {
        if (replicas == null) {
            return;
        }
        Map<String, String> fields = new HashMap<>();
        fields.put("user", user);
        if (set != null) {
            fields.put("parentsMaxPerUser", Integer.toString(set.parentsMaxPerUser()));
            fields.put("until", set.until().toString());
            fields.put("by", set.by());
            fields.put("why", set.why());
        }
        replicas.keep(user, fields);
        replicas.tell("limits", fields);
    }

    FullHttpResponse act(String who, String user, FullHttpRequest request) {
        JsonNode body;
        try {
            body = request.content().isReadable()
                    ? Responses.JSON.readTree(request.content().toString(StandardCharsets.UTF_8)) : Responses.JSON.createObjectNode();
        } catch (IOException e) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, "the body must be JSON");
        }
        String why = body.path("why").asText("");
        if (why.isBlank()) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, "say why: {\"why\": \"...\"} (it goes to the audit log)");
        }
        if (HttpMethod.DELETE.equals(request.method())) {
            Optional<CapOverride> ended = overrides.end(user);
            actions.limits(who, "limits_end", user, "ended", why, ended.isPresent());
            holds.decideAgain(user, Duration.ZERO);
            tell(user, null);
            return ended.isPresent() ? Responses.json(HttpResponseStatus.OK, Map.of("done", true, "user", user))
                    : Responses.error(HttpResponseStatus.NOT_FOUND, user + " has no override in force");
        }
        if (!body.path("parentsMaxPerUser").canConvertToInt() || !body.path("parentsMaxPerUser").isIntegralNumber()) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, "give the cap: {\"parentsMaxPerUser\": N, ...}");
        }
        int cap = body.path("parentsMaxPerUser").asInt();
        Instant now = overrides.clock().instant();
        Instant until;
        try {
            until = until(body, now);
        } catch (IllegalArgumentException e) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        Optional<String> problem = overrides.problem(user, cap);
        if (problem.isPresent()) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, problem.get());
        }
        CapOverride set = new CapOverride(user, cap, until, who, why);
        overrides.set(set);
        tell(user, set);
        actions.limits(who, "limits", user, "parents.maxPerUser=" + cap + " until=" + until, why, true);
        holds.decideAgain(user, Duration.ZERO);
        holds.decideAgain(user, Duration.between(now, until));
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("done", true);
        done.put("user", user);
        done.put("parentsMaxPerUser", cap);
        done.put("until", until.toString());
        return Responses.json(HttpResponseStatus.OK, done);
    }

    /** {@code until} (an ISO-8601 instant) or {@code for} ("3h"), exactly one, in the future. */
    private static Instant until(JsonNode body, Instant now) {
        String until = body.path("until").asText("");
        String span = body.path("for").asText("");
        if (until.isBlank() == span.isBlank()) {
            throw new IllegalArgumentException("say until when: {\"until\": \"2026-12-04T18:00:00Z\"} or {\"for\": \"3h\"}");
        }
        Instant end;
        if (!until.isBlank()) {
            try {
                end = Instant.parse(until);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("until must be a UTC time like 2026-12-04T18:00:00Z, not " + until);
            }
        } else {
            end = now.plus(DurationText.parse(span).orElseThrow(
                    () -> new IllegalArgumentException("for must be a duration like 90m or 3h, not " + span)));
            // Whole seconds, rounded up, for the pages and the audit log.
            Instant whole = end.truncatedTo(ChronoUnit.SECONDS);
            end = whole.isBefore(end) ? whole.plusSeconds(1) : whole;
        }
        if (!end.isAfter(now)) {
            throw new IllegalArgumentException("the override must end in the future (now is " + now + ")");
        }
        if (end.isAfter(now.plus(LONGEST))) {
            throw new IllegalArgumentException("an override lasts at most " + LONGEST.toDays()
                    + " days; for longer, give the user an entry under overrides in the policy file");
        }
        return end;
    }
}
