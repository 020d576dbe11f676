package us.kbase.ee2proxy.bench.ledger;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import us.kbase.ee2proxy.ledger.Admission;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;

/**
 * One concurrent caller: its own user (as requests of different users arrive together), a fresh
 * ticket per request, and a parent's demand under KBase's default cap, so each acquire runs the
 * full check. Acquire then release leaves the user's counts where they were.
 */
@State(Scope.Thread)
public class LedgerCaller {
    private static final AtomicInteger CALLERS = new AtomicInteger();
    static final SlotDemand PARENT =
            new SlotDemand(List.of(SlotClaim.parentAt(0, "kb_Bowtie2")), 5, SlotDemand.UNLIMITED);

    final String user = "bench-user-" + CALLERS.incrementAndGet();
    private long tickets;

    /** Takes a parent lease and gives it back, waiting for each answer as a request would. */
    void acquireRelease(SlotLedger ledger) {
        String ticket = Long.toString(++tickets);
        Admission a = ledger.tryAcquire(user, ticket, PARENT).toCompletableFuture().join();
        if (!a.admitted()) {
            throw new IllegalStateException(user + " was not admitted: " + a);
        }
        ledger.releaseTicket(user, ticket).toCompletableFuture().join();
    }
}
