package us.kbase.ee2proxy.policy;

import java.util.Objects;

/**
 * How many jobs the ledger lets count as one parent's children at once ({@code children.perParent}),
 * checked in the same atomic step that takes a demand's claims: admitted as children only while the
 * unfinished leases whose claim is {@link SlotClaim#childOf()} {@code parent}, this demand's
 * included, number at most {@code limit}. A demand over it takes nothing: the call is no running
 * parallel app's child and is classified as it would be without a parent
 * ({@link us.kbase.ee2proxy.policy.classify.Classification#beyondBound()}).
 *
 * <p>Why: a child is admitted as low-priority work that never counts against the parallel-app cap
 * and is never refused, on the word of its request alone (a {@code parent_job_id}, or KBParallel's
 * shape). The real KBParallel keeps at most {@code concurrent_njsw_tasks} children outstanding,
 * at most 50 (EE2-PROTOCOL.md, KBParallel), so a parent with more unfinished children than that
 * is not being served by KBParallel: the excess is someone using the child rules to run more
 * parallel apps than the cap.
 *
 * @param parent a parent's job id (children that named it in {@code parent_job_id}), or
 *     {@link #ATTRIBUTED} for a child attributed without one: then every unfinished child of the
 *     user counts, named or not, against {@code perParent} times the user's running parallel apps
 *     (each of them may have sent any such child, and each keeps at most {@code perParent}
 *     outstanding, so all of a user's real children together never exceed it)
 * @param limit at most this many such children unfinished, after the take
 */
public record ChildBound(String parent, int limit) {
    /**
     * The {@link SlotClaim#childOf()} of children that named no parent and were attributed to the
     * user's running apps. Never an EE2 job id (EE2's ids are hexadecimal).
     */
    public static final String ATTRIBUTED = "*";

    public ChildBound {
        Objects.requireNonNull(parent, "parent");
        if (limit < 0) {
            throw new IllegalArgumentException("a child bound is >= 0: " + limit);
        }
    }

    /** Whether a claim counts against this bound: a child of its parent, or any child for {@link #ATTRIBUTED}. */
    public boolean counts(SlotClaim claim) {
        return claim.childOf() != null && (parent.equals(ATTRIBUTED) || parent.equals(claim.childOf()));
    }
}
