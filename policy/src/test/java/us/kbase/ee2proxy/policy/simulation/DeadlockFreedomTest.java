package us.kbase.ee2proxy.policy.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.simulation.Outcome.Violation;
import us.kbase.ee2proxy.policy.simulation.Work.Arrival;
import us.kbase.ee2proxy.policy.simulation.Work.Leaf;
import us.kbase.ee2proxy.policy.simulation.Work.ParallelApp;

/**
 * Issue 4's property: for random valid policies and random KBase workloads on a FIFO scheduler
 * with per-user slots, where a parent finishes only after all its children, the admission rules
 * never deadlock, never exceed a cap, never hold a child past its wait and never refuse one. The
 * same property, run on deliberately broken rules, must fail: that proves it can.
 */
class DeadlockFreedomTest {

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Scenario.any();
    }

    @Property(tries = 10_000)
    void theRulesNeverDeadlockExceedACapOrHoldAChildTooLong(@ForAll("scenarios") Scenario s) {
        Outcome o = new FifoSimulation(s.policy(), Rules.REAL).run(s.arrivals());
        assertThat(o.acceptable()).as("%s: %s", o.violation(), o.detail()).isTrue();
        // The property means something only if the workloads reach every rule often enough.
        Statistics.label("held").collect(o.holds() > 0);
        Statistics.label("refused").collect(o.refused() > 0);
        Statistics.label("aged").collect(o.aged() > 0);
        Statistics.label("nested").collect(o.deepest() >= 1);
        Statistics.label("held").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("refused").coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("aged").coverage(c -> c.check(true).percentage(p -> p >= 1));
        Statistics.label("nested").coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    @Test
    void capsThatDoNotGrowWithDepthAreCaughtAsADeadlock() {
        // Flat caps hold a nested app until its parents.maxWait and then refuse it, failing its sender
        // app, or deadlock first.
        assertThat(firstViolation(Rules.FLAT_CAPS)).isIn(Violation.DEADLOCK, Violation.APP_FAILED);
    }

    @Test
    void policiesThatBreakTheValidationRuleAreCaught() {
        // maxPerUser + maxNestingDepth = slots: parents can fill every slot. The loader refuses these.
        assertThat(firstViolation(Scenario.oneDepthTooMany(), Rules.REAL)).isIn(Violation.PARENT_CAP, Violation.DEADLOCK);
    }

    @Test
    void noProxyAtAllIsCaughtAtTheCap() {
        assertThat(firstViolation(Rules.NO_PROXY)).isIn(Violation.PARENT_CAP, Violation.CHILD_CAP);
    }

    @Test
    void childrenThatAreNeverAgedInAreCaught() {
        // Without aging a held child also stalls its app, which may then be refused at its parents.maxWait.
        assertThat(firstViolation(Rules.NO_AGING)).isIn(Violation.CHILD_HELD_TOO_LONG, Violation.DEADLOCK,
                Violation.APP_FAILED);
    }

    @Test
    void theFlatCapDeadlockInItsSimplestForm() {
        // C_0 = 2 parents, each starting a nested parallel app: with a flat cap of 2 both nested
        // apps are held, both parents wait for them, and nothing can finish by itself.
        AdmissionPolicy p = AdmissionPolicy.builder().defaults(new Limits(10, 2, 2, WhenFull.HOLD,
                Duration.ofMinutes(10), 10, Duration.ofMinutes(15))).build();
        Work nested = new ParallelApp("kb_Bowtie2", 2, List.of(new ParallelApp("kb_concoct", 1,
                List.of(new Leaf("kb_quast", 30)))));
        List<Arrival> twoApps = List.of(new Arrival(0, "alice", nested), new Arrival(0, "alice", nested));
        assertThat(new FifoSimulation(p, Rules.REAL).run(twoApps).ok()).isTrue();
        Outcome broken = new FifoSimulation(p, Rules.FLAT_CAPS).run(twoApps);
        assertThat(broken.violation()).isEqualTo(Violation.DEADLOCK);
        assertThat(broken.detail()).contains("nothing can finish by itself").contains("parent d0");
    }

    /** Samples scenarios until the rules break an invariant; the kind broken first. */
    private static Violation firstViolation(Rules broken) {
        return firstViolation(Scenario.any(), broken);
    }

    private static Violation firstViolation(Arbitrary<Scenario> scenarios, Rules rules) {
        return scenarios.sampleStream().limit(5_000)
                .map(s -> new FifoSimulation(s.policy(), rules).run(s.arrivals()))
                .filter(o -> !o.acceptable())
                .map(Outcome::violation)
                .findFirst()
                .orElseThrow(() -> new AssertionError("5,000 scenarios did not catch the broken rules"));
    }
}
