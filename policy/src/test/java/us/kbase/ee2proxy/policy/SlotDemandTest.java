package us.kbase.ee2proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

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

    @Property
    void fitsIsExactlyTheTwoInequalities(
            @ForAll @IntRange(max = 20) int parents, @ForAll @IntRange(max = 40) int jobs,
            @ForAll @IntRange(max = 5) int newParents, @ForAll @IntRange(max = 5) int newJobs,
            @ForAll @IntRange(max = 20) int parentLimit, @ForAll @IntRange(max = 40) int jobLimit) {
        var claims = new java.util.ArrayList<SlotClaim>();
        for (int i = 0; i < newParents; i++) claims.add(SlotClaim.parentAt(0, "p"));
        for (int i = 0; i < newJobs; i++) claims.add(SlotClaim.job("j"));
        SlotDemand d = new SlotDemand(claims, parentLimit, jobLimit);
        boolean expected = parents + newParents <= parentLimit && jobs + newParents + newJobs <= jobLimit;
        assertThat(d.fits(new UserCounts(parents, jobs, Map.of()))).isEqualTo(expected);
    }
}
