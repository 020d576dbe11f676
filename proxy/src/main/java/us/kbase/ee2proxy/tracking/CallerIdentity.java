package us.kbase.ee2proxy.tracking;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.identity.Auth2Identity;

/**
 * Who made a finishing call, for job tracking: a finish or cancel frees a lease only when its
 * caller owns it (job runners call finish_job with the job owner's token) or is an EE2 admin.
 * Asked only when such a call would free a lease, never on the pass-through path.
 */
public interface CallerIdentity {

    /** auth2's custom role of EE2's full administrators. */
    String EE2_ADMIN = "EE2_ADMIN";

    /** The KBase user who owns {@code token}; fails when that cannot be verified. */
    CompletionStage<String> user(String token);

    /** Whether the token's owner has the {@link #EE2_ADMIN} role; fails when that cannot be verified. */
    CompletionStage<Boolean> ee2Admin(String token);

    /** Through auth2 (cached per token). */
    static CallerIdentity of(Auth2Identity identity) {
        return new CallerIdentity() {
            @Override
            public CompletionStage<String> user(String token) {
                return identity.user(token);
            }

            @Override
            public CompletionStage<Boolean> ee2Admin(String token) {
                return identity.customRoles(token).thenApply(roles -> roles.contains(EE2_ADMIN));
            }
        };
    }

    /**
     * Whether the token's owner may free a lease owned by {@code owner}: the owner, or an EE2
     * admin (asked only when not the owner). Completes false when that cannot be verified.
     */
    default CompletionStage<Boolean> mayFree(String token, String owner) {
        return user(token)
                .thenCompose(user -> user.equals(owner) ? CompletableFuture.completedFuture(true) : ee2Admin(token))
                .exceptionally(unverified -> false);
    }
}
