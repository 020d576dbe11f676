package us.kbase.ee2proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.CLOSING;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.DECIDING;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.FORWARDED;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.OWN_PAGE;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.READING;
import static us.kbase.ee2proxy.frontend.RelayState.Phase.WRITING;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.frontend.RelayState.Input;
import us.kbase.ee2proxy.frontend.RelayState.Phase;

/** The relay's state machine on its own: the moves the relay makes, and that every other move is refused. */
class RelayStateTest {

    /** Drives a fresh state along {@code path} (from READING). */
    private static RelayState along(Phase... path) {
        RelayState state = new RelayState();
        for (Phase p : path) {
            state.to(p);
        }
        return state;
    }

    @Test
    void aPassThroughCallGoesForwardedWritingAndBackToReading() {
        RelayState state = along(FORWARDED, WRITING, READING);
        assertThat(state.phase()).isEqualTo(READING);
        assertThat(state.callInProgress()).isFalse();
        assertThat(state.takesRequests()).isTrue();
    }

    @Test
    void aHeldCallDecidesThenIsForwardedOrAnswered() {
        assertThat(along(DECIDING, FORWARDED, WRITING, READING).phase()).isEqualTo(READING);
        assertThat(along(DECIDING, WRITING, CLOSING).phase()).isEqualTo(CLOSING);
        assertThat(along(OWN_PAGE, WRITING, READING).phase()).isEqualTo(READING);
    }

    @Test
    void aCallIsInProgressExactlyWhileDecidingBuildingAPageForwardedOrWriting() {
        for (Phase p : Phase.values()) {
            assertThat(p.callInProgress()).as(p.name()).isEqualTo(Set.of(DECIDING, OWN_PAGE, FORWARDED, WRITING).contains(p));
        }
    }

    @Test
    void everyMoveOutsideTheTableIsRefusedAndLeavesThePhase() {
        // The legal moves, written out once more by hand: the table in RelayState must agree.
        List<Phase[]> legal = List.of(
                new Phase[] {READING, DECIDING}, new Phase[] {READING, OWN_PAGE}, new Phase[] {READING, FORWARDED},
                new Phase[] {READING, WRITING}, new Phase[] {READING, CLOSING},
                new Phase[] {DECIDING, FORWARDED}, new Phase[] {DECIDING, WRITING}, new Phase[] {DECIDING, CLOSING},
                new Phase[] {OWN_PAGE, WRITING}, new Phase[] {OWN_PAGE, CLOSING},
                new Phase[] {FORWARDED, WRITING}, new Phase[] {FORWARDED, CLOSING},
                new Phase[] {WRITING, READING}, new Phase[] {WRITING, CLOSING},
                new Phase[] {CLOSING, CLOSING});
        int refused = 0;
        for (Phase from : Phase.values()) {
            for (Phase to : Phase.values()) {
                RelayState state = reach(from);
                boolean isLegal = legal.stream().anyMatch(m -> m[0] == from && m[1] == to);
                if (isLegal) {
                    state.to(to);
                    assertThat(state.phase()).isEqualTo(to);
                } else {
                    assertThatThrownBy(() -> state.to(to)).as(from + " -> " + to)
                            .isInstanceOf(IllegalStateException.class).hasMessageContaining(from.name()).hasMessageContaining(to.name());
                    assertThat(state.phase()).isEqualTo(from);
                    refused++;
                }
            }
        }
        assertThat(refused).isEqualTo(Phase.values().length * Phase.values().length - legal.size());
    }

    @Test
    void aCallCannotStartWhileAnotherIsInProgress() {
        for (Phase busy : EnumSet.of(DECIDING, OWN_PAGE, FORWARDED, WRITING)) {
            RelayState state = reach(busy);
            for (Phase start : EnumSet.of(DECIDING, OWN_PAGE)) {
                if (busy != start) {
                    assertThatThrownBy(() -> state.to(start)).isInstanceOf(IllegalStateException.class);
                }
            }
        }
        // A closing connection starts nothing, and never reads again.
        RelayState closing = reach(CLOSING);
        assertThat(closing.takesRequests()).isFalse();
        assertThatThrownBy(() -> closing.to(READING)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> closing.to(FORWARDED)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theInputOnlyNarrows() {
        RelayState state = new RelayState();
        assertThat(state.input()).isEqualTo(Input.OPEN);
        state.input(Input.REFUSING_REST);
        assertThat(state.takesRequests()).isFalse();
        assertThat(state.inputEnded()).isFalse();
        assertThatThrownBy(() -> state.input(Input.REFUSING_REST)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> state.input(Input.OPEN)).isInstanceOf(IllegalStateException.class);
        state.input(Input.ENDED);
        assertThat(state.inputEnded()).isTrue();
        state.input(Input.ENDED); // a second FIN event changes nothing
        assertThatThrownBy(() -> state.input(Input.REFUSING_REST)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> state.input(Input.OPEN)).isInstanceOf(IllegalStateException.class);
        assertThat(state.inputEnded()).isTrue();
        // The phase is independent of the input: the answers to what was sent are still written.
        state.to(FORWARDED);
        state.to(WRITING);
        assertThat(state.phase()).isEqualTo(WRITING);
    }

    @Test
    void anEndedInputTakesNoMoreRequests() {
        RelayState state = new RelayState();
        state.input(Input.ENDED);
        assertThat(state.takesRequests()).isFalse();
    }

    /** A state in phase {@code p}, reached by legal moves. */
    private static RelayState reach(Phase p) {
        return switch (p) {
            case READING -> along();
            case DECIDING -> along(DECIDING);
            case OWN_PAGE -> along(OWN_PAGE);
            case FORWARDED -> along(FORWARDED);
            case WRITING -> along(FORWARDED, WRITING);
            case CLOSING -> along(CLOSING);
        };
    }
}
