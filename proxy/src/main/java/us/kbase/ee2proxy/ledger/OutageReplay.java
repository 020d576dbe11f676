package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * What Redis missed while a {@link ResilientLedger} decided without it, and the replay that tells
 * Redis once it answers: releases it missed (a ticket acquired just before the outage, a job
 * finished during it), then every ticket in flight and job lease the local ledger holds, moved into
 * Redis and dropped locally. Adopting before dropping, and undoing an adopt whose local lease was
 * released meanwhile, means a release racing the replay never leaves a ghost lease; Redis's
 * tombstones stop a late adopt of a finished job.
 */
final class OutageReplay {
    /**
     * A ticket admitted and not yet bound or released. A local flight becomes shared when a replay
     * takes its leases in Redis; bind and release read {@link #local()} under the same lock, so they
     * act after a move in progress, never in the middle of it.
     */
    static final class Flight {
        final SlotDemand demand;
        private boolean local;

        Flight(SlotDemand demand, boolean local) {
            this.demand = demand;
            this.local = local;
        }

        synchronized boolean local() {
            return local;
        }
    }

    record UserTicket(String user, String ticket) {}

    /** A job release Redis missed; {@code user} is null when only the job id was known. */
    private record JobRelease(String user, String jobId) {}

    private final SlotLedger shared;
    private final InMemorySlotLedger local;
    private final OutageBaseline baseline;
    private final Cache<UserTicket, Flight> flights;
    private final Counter replayed;
    private final Set<UserTicket> ticketReleases = ConcurrentHashMap.newKeySet();
    private final Set<JobRelease> jobReleases = ConcurrentHashMap.newKeySet();

    OutageReplay(SlotLedger shared, InMemorySlotLedger local, OutageBaseline baseline, Cache<UserTicket, Flight> flights,
            Counter replayed) {
        this.shared = shared;
        this.local = local;
        this.baseline = baseline;
        this.flights = flights;
        this.replayed = replayed;
    }

    /** Whatever Redis holds under this ticket is a ghost: the live copy, if any, is local. */
    void ticketRelease(UserTicket key) {
        ticketReleases.add(key);
    }

    /** A job finished while Redis did not answer; {@code user} null when only its id is known. */
    void jobRelease(String user, String jobId) {
        jobReleases.add(new JobRelease(user, jobId));
    }

    /** Whether anything is left to tell Redis. */
    boolean owed() {
        return !ticketReleases.isEmpty() || !jobReleases.isEmpty() || local.holdsJobs() || localFlights();
    }

    private boolean localFlights() {
        return flights.asMap().values().stream().anyMatch(Flight::local);
    }

    /**
     * Tells Redis what it missed. Blocking; on the recovery thread. A failure leaves the rest for
     * next time. The order keeps Redis from ever counting less than the truth: job leases held
     * here are adopted first, then the tickets they were bound from are released (released first,
     * a decision on Redis in between saw neither: found by RedisRestartTest with logs, 8 parents
     * with a cap of 5, after binds that failed over during a replay); each ghost ticket is released
     * before a local flight under the same ticket is taken in Redis again (the release would free
     * the moved flight). Whatever is bound here meanwhile is adopted by the next replay; until
     * then Redis's decisions count it ({@link ResilientLedger}).
     */
    void replay() {
        adoptLocalJobs();
        // Whatever Redis holds under these tickets is a ghost: the live copy, if any, is here.
        for (UserTicket missed : List.copyOf(ticketReleases)) {
            shared.releaseTicket(missed.user(), missed.ticket()).toCompletableFuture().join();
            ticketReleases.remove(missed);
        }
        for (JobRelease missed : List.copyOf(jobReleases)) {
            (missed.user() == null ? shared.releaseJob(missed.jobId()) : shared.releaseJob(missed.user(), missed.jobId()))
                    .toCompletableFuture().join();
            jobReleases.remove(missed);
        }
        moveFlights();
    }

    /** Adopts each job lease held here into Redis, then drops it here. */
    private void adoptLocalJobs() {
        for (String user : local.users().toCompletableFuture().join()) {
            for (TrackedJob job : local.trackedJobs(user).toCompletableFuture().join()) {
                // Adopt's reply tells the baseline Redis holds it; only then is it dropped here.
                boolean added = shared.adopt(user, job.jobId(), job.claim()).toCompletableFuture().join();
                boolean stillHeld = local.releaseJob(user, job.jobId()).toCompletableFuture().join();
                if (!stillHeld) {
                    shared.releaseJob(user, job.jobId()).toCompletableFuture().join();
                } else if (added) {
                    baseline.bound(user, job.jobId(), job.claim());
                    replayed.inc();
                }
            }
        }
    }

    /** Takes each local ticket still in flight in Redis, under the same ticket, then drops it here. */
    private void moveFlights() {
        for (Map.Entry<UserTicket, Flight> entry : List.copyOf(flights.asMap().entrySet())) {
            UserTicket key = entry.getKey();
            Flight flight = entry.getValue();
            synchronized (flight) {
                if (!flight.local || flights.asMap().get(key) != flight) {
                    continue; // bound or released meanwhile: that call dealt with it
                }
                try {
                    shared.tryAcquire(key.user(), key.ticket(), flight.demand.unlimited()).toCompletableFuture().join();
                } catch (RuntimeException e) {
                    ticketRelease(key); // it may have run: free it before the next try
                    throw e;
                }
                local.releaseTicket(key.user(), key.ticket()).toCompletableFuture().join();
                flight.local = false;
                replayed.inc();
            }
        }
    }
}
