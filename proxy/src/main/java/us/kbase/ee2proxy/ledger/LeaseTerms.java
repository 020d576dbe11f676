package us.kbase.ee2proxy.ledger;

import java.time.Duration;

/**
 * How long leases live.
 *
 * @param provisional a ticket's leases until EE2 answers; must exceed the proxy's upstream
 *     response timeout, or a slow reply finds nothing left to bind
 * @param bound a job's lease; longer than HTCondor's 7-day hold, so only a lost finish lets it lapse
 * @param tombstone how long a released job id is remembered, so a late bind, replay or adopt of it
 *     takes nothing
 */
public record LeaseTerms(Duration provisional, Duration bound, Duration tombstone) {
    public static final LeaseTerms DEFAULT =
            new LeaseTerms(Duration.ofMinutes(2), Duration.ofDays(8), Duration.ofHours(1));

    public LeaseTerms {
        for (Duration d : new Duration[] {provisional, bound, tombstone}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("lease durations must be positive: " + d);
            }
        }
    }
}
