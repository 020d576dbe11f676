package us.kbase.ee2proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class SlotDemandTest {

    @Test
    void parentFitsOnlyBelowItsCap() {
        SlotDemand parent = new SlotDemand(List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), 5, SlotDemand.UNLIMITED);
        assertThat(parent.fits(new UserCounts(4, 9, Map.of()))).isTrue();
        assertThat(parent.fits(new UserCounts(5, 5, Map.of()))).isFalse();
    }

    @Test
    void unlimitedAlwaysFitsButKeepsItsClaims() {
        SlotDemand child = new SlotDemand(List.of(SlotClaim.job("kb_Bwa")), SlotDemand.UNLIMITED, 12);
        assertThat(child.fits(new UserCounts(0, 12, Map.of()))).isFalse();
        assertThat(child.unlimited().fits(new UserCounts(0, Integer.MAX_VALUE - 1, Map.of()))).isTrue();
        assertThat(child.unlimited().claims()).isEqualTo(child.claims());
    }

    /** Current counts, the demand's new claims and its limits, each from 0 to its maximum. */
    record Case(int parents, int jobs, int newParents, int newJobs, int parentLimit, int jobLimit) {}

    @Test
    void fitsIsExactlyTheTwoInequalities() {
        Gen<Integer> upTo5 = integers().between(0, 5);
        Gen<Integer> upTo20 = integers().between(0, 20);
        Gen<Integer> upTo40 = integers().between(0, 40);
        Gen<Case> cases = in -> new Case(upTo20.generate(in), upTo40.generate(in), upTo5.generate(in),
                upTo5.generate(in), upTo20.generate(in), upTo40.generate(in));
        // 1,000 cases: what this property ran under jqwik (its default number of tries).
        qt().withExamples(1_000).forAll(cases).checkAssert(c -> {
            var claims = new java.util.ArrayList<SlotClaim>();
            for (int i = 0; i < c.newParents(); i++) claims.add(SlotClaim.parentAt(0, "p"));
            for (int i = 0; i < c.newJobs(); i++) claims.add(SlotClaim.job("j"));
            SlotDemand d = new SlotDemand(claims, c.parentLimit(), c.jobLimit());
            boolean expected = c.parents() + c.newParents() <= c.parentLimit()
                    && c.jobs() + c.newParents() + c.newJobs() <= c.jobLimit();
            assertThat(d.fits(new UserCounts(c.parents(), c.jobs(), Map.of()))).isEqualTo(expected);
        });
    }
}
