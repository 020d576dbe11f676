package us.kbase.ee2proxy.hold;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.classify.Classification;

/**
 * One job-creating call waiting in its ledger user's queue. Its {@link #end()} completes with
 * {@link HoldEnd#ADMITTED} (its demand was taken under its ticket) or {@link HoldEnd#EXPIRED} (the
 * hold's time is up: decide again), or is cancelled by {@link #drop()} when the client leaves.
 */
public final class HeldCall {
    private final String user;
    private final String ticket;
    private final Classification classification;
    private final SlotDemand demand;
    private final Duration atMost;
    private final long heldAtNanos = System.nanoTime();
    private final CompletableFuture<HoldEnd> end = new CompletableFuture<>();
    // Touched only on the queues' thread.
    boolean queued;
    /** Moved ahead (> 0) or behind (< 0) of its user's other waiting calls by its owner or an admin. */
    int priority;
    ScheduledFuture<?> deadline;
    /** Why an operator or its owner ended it ({@link HoldEnd#REFUSED}); set before the end completes. */
    private volatile String refusal;

    HeldCall(String user, String ticket, Classification classification, SlotDemand demand, Duration atMost) {
        this.user = user;
        this.ticket = ticket;
        this.classification = classification;
        this.demand = demand;
        this.atMost = atMost;
    }

    public CompletionStage<HoldEnd> end() {
        return end;
    }

    /** The client is gone: leave the queue; the call is never admitted (a take in flight is given back). */
    public void drop() {
        end.cancel(false);
    }

    public String user() {
        return user;
    }

    public String ticket() {
        return ticket;
    }

    public Classification classification() {
        return classification;
    }

    public SlotDemand demand() {
        return demand;
    }

    Duration atMost() {
        return atMost;
    }

    /** 0, or where its owner or an admin moved it: higher is retried first ({@code HoldOrder}). */
    public int priority() {
        return priority;
    }

    /** How long this hold has lasted. */
    public Duration held() {
        return Duration.ofNanos(System.nanoTime() - heldAtNanos);
    }

    /** The message of a {@link HoldEnd#REFUSED} end; null otherwise. */
    public String refusal() {
        return refusal;
    }

    void refusal(String message) {
        this.refusal = message;
    }

    CompletableFuture<HoldEnd> future() {
        return end;
    }
}
