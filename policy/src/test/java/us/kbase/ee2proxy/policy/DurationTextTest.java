package us.kbase.ee2proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.decide.Reason;
import us.kbase.ee2proxy.policy.decide.Reason.Outcome;

/** Time already waited is reported as it happened; a limit still to come is never understated. */
class DurationTextTest {

    @Test
    void timeAlreadyWaitedIsRoundedDown() {
        assertThat(DurationText.elapsedWords(Duration.ofMillis(8_030))).isEqualTo("8 seconds");
        assertThat(DurationText.elapsedWords(Duration.ofMillis(8_999))).isEqualTo("8 seconds");
        assertThat(DurationText.elapsedWords(Duration.ofSeconds(90))).isEqualTo("1 minute 30 seconds");
        assertThat(DurationText.elapsedWords(Duration.ofMillis(60_500))).isEqualTo("1 minute");
        assertThat(DurationText.elapsedWords(Duration.ofMillis(999))).isEqualTo("less than a second");
        assertThat(DurationText.elapsedWords(Duration.ofSeconds(-3))).isEqualTo("less than a second");
    }

    @Test
    void aLimitOrRemainingTimeIsRoundedUp() {
        assertThat(DurationText.words(Duration.ofMillis(8_030))).isEqualTo("9 seconds");
        assertThat(DurationText.words(Duration.ofSeconds(8))).isEqualTo("8 seconds");
        assertThat(DurationText.words(Duration.ofMillis(1))).isEqualTo("1 second");
        assertThat(DurationText.words(Duration.ZERO)).isEqualTo("less than a second");
        assertThat(DurationText.words(Duration.ofMinutes(61))).isEqualTo("1 hour 1 minute");
    }

    @Test
    void messagesSayWhatWasWaitedAndTheMostThatIsLeft() {
        Reason.Who who = new Reason.Who("alice", "defaults");
        Duration odd = Duration.ofMillis(8_030);
        Reason refused = new Reason.ParentsFull(who, "kb_Bwa job", 1, 0, 5, 5, Map.of("kb_Bwa", 5),
                Outcome.REFUSED_AFTER_WAIT, odd);
        assertThat(refused.userMessage()).contains("This one waited 8 seconds for one of them to finish");
        Reason held = new Reason.ParentsFull(who, "kb_Bwa job", 1, 0, 5, 5, Map.of("kb_Bwa", 5), Outcome.HOLD, odd);
        assertThat(held.userMessage()).contains("waits at most 9 seconds.");
        Reason aged = new Reason.Aged(who, "kb_uploadmethods job", odd, 40, 20, Duration.ofSeconds(8));
        assertThat(aged.userMessage()).contains("submitted after waiting 8 seconds,");
        Reason queued = new Reason.QueueFull(who, "kb_uploadmethods job", 20, 20, odd);
        assertThat(queued.userMessage()).contains("waits at most 9 seconds.");
    }
}
