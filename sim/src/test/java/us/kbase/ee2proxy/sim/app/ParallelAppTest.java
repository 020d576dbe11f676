package us.kbase.ee2proxy.sim.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** KBParallel's polling back-off (generate_sleep_interval). */
class ParallelAppTest {
    @Test
    void sleepsOneSecondThenFiveThenFifteen() {
        assertThat(ParallelApp.sleepSeconds(0)).isEqualTo(1);
        assertThat(ParallelApp.sleepSeconds(19)).isEqualTo(1);
        assertThat(ParallelApp.sleepSeconds(20)).isEqualTo(5);
        assertThat(ParallelApp.sleepSeconds(295)).isEqualTo(5);
        assertThat(ParallelApp.sleepSeconds(300)).isEqualTo(15);
    }
}
