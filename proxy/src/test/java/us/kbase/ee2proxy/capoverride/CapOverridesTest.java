package us.kbase.ee2proxy.capoverride;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.UserOverride;

/** The composed policy: an override applies until its end (injected clock) and outlives reloads. */
class CapOverridesTest {
    private static final Instant T0 = Instant.parse("2026-12-04T15:00:00Z");

    private static final class MovableClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final AtomicReference<AdmissionPolicy> file = new AtomicReference<>(AdmissionPolicy.defaults());
    private final CapOverrides overrides = new CapOverrides(file::get, clock);

    @Test
    void anOverrideRaisesOneUsersCapUntilItsEndThenTheFilesCapIsBack() {
        assertThat(overrides.get()).isSameAs(file.get()); // nothing set: the file's policy itself
        overrides.set(new CapOverride("amy", 8, T0.plus(Duration.ofHours(3)), "root", "grant deadline"));

        EffectivePolicy amy = overrides.get().forUser("amy");
        assertThat(amy.limits()).isEqualTo(Limits.KBASE.withParentsMaxPerUser(8));
        assertThat(amy.limitsSource()).isEqualTo("override until 2026-12-04T18:00:00Z by root: grant deadline");
        assertThat(overrides.get().forUser("bob").limits()).isEqualTo(Limits.KBASE);
        assertThat(overrides.of("amy")).isPresent();

        clock.now = T0.plus(Duration.ofHours(3)).minusMillis(1);
        assertThat(overrides.get().forUser("amy").limits().parentsMaxPerUser()).isEqualTo(8);
        clock.now = T0.plus(Duration.ofHours(3));
        assertThat(overrides.get().forUser("amy").limits().parentsMaxPerUser()).isEqualTo(5);
        assertThat(overrides.get().forUser("amy").limitsSource()).isEqualTo("defaults");
        assertThat(overrides.of("amy")).isEmpty();
    }

    @Test
    void aReloadKeepsTheOverrideAndItsOtherLimitsFollowTheNewFile() {
        overrides.set(new CapOverride("amy", 3, T0.plus(Duration.ofHours(1)), "root", "runaway"));
        Limits lab = new Limits(20, 12, 2, Limits.KBASE.parentsWhenFull(), Limits.KBASE.parentsMaxWait(), 0,
                Limits.KBASE.childrenMaxWait(), 1);
        file.set(AdmissionPolicy.builder().source("reloaded")
                .override(new UserOverride("smith-lab", List.of("amy"), lab, Set.of("slots", "parents.maxPerUser"))).build());

        EffectivePolicy amy = overrides.get().forUser("amy");
        assertThat(amy.limits()).isEqualTo(lab.withParentsMaxPerUser(3));
        assertThat(amy.limitsSource()).endsWith("runaway (over smith-lab)");
        assertThat(overrides.get().source()).isEqualTo("reloaded");
    }

    @Test
    void aCapTheRuleForbidsIsRefusedAndAnEndedOverrideIsGone() {
        assertThat(overrides.problem("amy", 0)).isPresent();
        assertThat(overrides.problem("amy", 8)).isPresent(); // 10 slots, depth 2: at most 7
        assertThat(overrides.problem("amy", 7)).isEmpty();
        assertThat(overrides.problem("amy", 9)).get().asString().contains("between 1 and 7");

        overrides.set(new CapOverride("amy", 2, T0.plus(Duration.ofMinutes(5)), "root", "x"));
        assertThat(overrides.end("amy")).isPresent();
        assertThat(overrides.end("amy")).isEmpty();
        assertThat(overrides.get().forUser("amy").limits()).isEqualTo(Limits.KBASE);
    }
}
