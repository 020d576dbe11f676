package us.kbase.ee2proxy.admin;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.identity.IdentityException;
import us.kbase.ee2proxy.policyfile.LivePolicy;

/**
 * {@code POST /admin/policy/reload}: reloads the policy file and answers what happened as JSON
 * ({@code reloaded}, {@code message}): 200 when the new policy is in force, 422 when the file was
 * rejected (the old policy stays). On an exposed admin port the caller must hold EE2_ADMIN.
 */
final class PolicyReloadAction {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyReloadAction.class);
    private static final JsonMapper JSON = new JsonMapper();
    /** auth2's custom role of EE2's full (write) administrators. */
    static final String EE2_ADMIN = "EE2_ADMIN";

    /** A reply before it becomes an HTTP response. */
    record Answer(HttpResponseStatus status, byte[] json) {
        static Answer of(HttpResponseStatus status, Map<String, Object> body) {
            try {
                return new Answer(status, JSON.writeValueAsBytes(body));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final AdminActions actions;
    private final boolean exposed;

    /** @param exposed the admin port listens on a non-loopback address: POSTs need EE2_ADMIN */
    PolicyReloadAction(AdminActions actions, boolean exposed) {
        this.actions = actions;
        this.exposed = exposed;
    }

    boolean available() {
        return actions.policy() != null;
    }

    /** Never completes on the admin event loop's own work: the reload reads a file. */
    CompletableFuture<Answer> run(String token) {
        return authorize(token).thenCompose(refusal -> refusal != null
                ? CompletableFuture.completedFuture(refusal)
                : CompletableFuture.supplyAsync(this::reload));
    }

    private Answer reload() {
        LivePolicy.Reload r = actions.policy().reload();
        return Answer.of(r.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
                Map.of("reloaded", r.applied(), "message", r.message()));
    }

    /** Completes with null when the caller may reload, else with the refusal. */
    private CompletableFuture<Answer> authorize(String token) {
        if (!exposed) {
            return CompletableFuture.completedFuture(null);
        }
        if (actions.identity() == null) {
            return refuse(HttpResponseStatus.FORBIDDEN, "the admin port is exposed and no auth2 is configured to check "
                    + "an EE2_ADMIN token; bind it to 127.0.0.1 or configure auth2");
        }
        if (token == null || token.isBlank()) {
            return refuse(HttpResponseStatus.UNAUTHORIZED, "send a KBase token with the EE2_ADMIN role in the "
                    + "Authorization header");
        }
        return actions.identity().customRoles(token).handle((Set<String> roles, Throwable error) -> {
            if (error == null) {
                return roles.contains(EE2_ADMIN) ? null : answer(HttpResponseStatus.FORBIDDEN,
                        "the token's owner does not have the EE2_ADMIN role");
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof IdentityException id && id.reason() == IdentityException.Reason.INVALID_TOKEN) {
                return answer(HttpResponseStatus.UNAUTHORIZED, "KBase auth refused the token: " + id.getMessage());
            }
            LOG.warn("admin POST: cannot check the token with KBase auth: {}", cause.toString());
            return answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot check the token with KBase auth: "
                    + cause.getMessage());
        });
    }

    private static CompletableFuture<Answer> refuse(HttpResponseStatus status, String message) {
        return CompletableFuture.completedFuture(answer(status, message));
    }

    private static Answer answer(HttpResponseStatus status, String message) {
        return Answer.of(status, Map.of("reloaded", false, "message", message));
    }
}
