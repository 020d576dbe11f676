package us.kbase.ee2proxy.policy.simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;

/** The admission rules the simulation runs: the real ones, and broken ones the property must catch. */
@FunctionalInterface
interface Rules {
    Decision decide(EffectivePolicy policy, UserCounts counts, Classification call, Duration waited);

    /** The rules as shipped. */
    Rules REAL = Admission::decide;

    /** Broken: every parent is capped at C_0 whatever its depth (caps that do not grow with depth). */
    Rules FLAT_CAPS = (policy, counts, call, waited) -> Admission.decide(policy, counts, flatten(call), waited);

    /** Broken: no proxy at all, as EE2 is today: everything admitted at once. */
    Rules NO_PROXY = (policy, counts, call, waited) -> new Decision.Admit(
            Admission.demand(policy, call, waited).unlimited(),
            Admission.decide(policy, counts, call, waited).reason(), Optional.empty());

    /** Broken: held children are never aged in (the clock never advances for them). */
    Rules NO_AGING = (policy, counts, call, waited) -> Admission.decide(policy, counts, call, Duration.ZERO);

    private static Classification flatten(Classification call) {
        List<SlotClaim> claims = new ArrayList<>();
        for (SlotClaim c : call.claims()) {
            claims.add(c.parent() ? SlotClaim.parentAt(0, c.app()) : c);
        }
        JobClass flat = call.jobClass() instanceof JobClass.Parent p ? new JobClass.Parent(0, p.app(), null) : call.jobClass();
        return new Classification(flat, call.ledgerUser(), claims, call.jobIndexes());
    }
}
