package us.kbase.ee2proxy.policy.decide;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import us.kbase.ee2proxy.policy.SlotDemand;

/** What to do with a job-creating call now: admit, hold or refuse, always with a {@link Reason}. */
public sealed interface Decision {

    Reason reason();

    /**
     * Forward the call once {@code demand} is taken from the ledger in one atomic step. The ledger
     * may still find it does not fit (another replica got there first): then decide again with the
     * counts it returns. {@code shadowOf} is the hold or refusal that {@code mode: enforce} would
     * have given; in shadow mode the demand is then unlimited, so the ledger always takes it.
     */
    record Admit(SlotDemand demand, Reason reason, Optional<Decision> shadowOf) implements Decision {
        public Admit {
            Objects.requireNonNull(demand, "demand");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(shadowOf, "shadowOf");
        }
    }

    /**
     * Keep the call (the client's connection stays open) and retry {@code demand} atomically
     * whenever the ledger user's slots are released; it is admitted as soon as it fits. Once
     * {@code atMost} has passed (counted from this decision), call {@code decide} again with the
     * whole time waited: it answers the final {@link Admit} or {@link Refuse}, which is
     * {@code then} unless the counts changed.
     *
     * <p>Order among held calls of one ledger user, at each release ({@link HoldOrder}): the
     * user's own jobs (the app with the fewest calls waiting first), then nested parallel apps
     * (deepest first), then children round-robin across their parents, then new top-level parallel
     * apps. The order serves latency only: deadlock-freedom does not depend on it (the property test
     * passes with the reverse order as well).
     */
    record Hold(SlotDemand demand, Reason reason, Duration atMost, Then then) implements Decision {
        public Hold {
            Objects.requireNonNull(demand, "demand");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(atMost, "atMost");
            Objects.requireNonNull(then, "then");
            if (atMost.isNegative() || atMost.isZero()) {
                throw new IllegalArgumentException("a hold lasts a positive time: " + atMost);
            }
        }
    }

    /**
     * Answer the client with an EE2-shaped error (HTTP 500, code -32000) carrying
     * {@code reason.userMessage()}; {@code retryAfter} is the Retry-After to send, empty when trying
     * again unchanged cannot succeed (a batch to split, a nesting too deep).
     */
    record Refuse(Reason reason, Optional<Duration> retryAfter) implements Decision {
        public Refuse {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** What a hold ends in when nothing changes while it waits. */
    enum Then {
        /** Admitted anyway (aging): children never fail because they waited. */
        ADMIT,
        /** Refused: parallel apps are never admitted over the cap. */
        REFUSE,
        /**
         * Held again: a parallel app sent by a running one is neither refused (that would fail its
         * sender) nor admitted over its cap (that could fill every slot with parents); it waits for
         * a parent to finish, however long (its client gives up at 1800 s).
         */
        WAIT
    }
}
