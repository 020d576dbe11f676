package us.kbase.ee2proxy.hold;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.ledger.Admission;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.HoldOrder;

/**
 * The calls admission holds, one queue per ledger user. Whenever one of a user's leases is
 * released (on any replica: the ledger's wake-up), and every {@code recheckEvery} in case a
 * wake-up was lost, the user's held calls are retried in {@link HoldOrder} (the user's own jobs,
 * the app with the fewest waiting first; nested parallel apps; children round-robin across their
 * parents; new parallel apps), each with one atomic
 * {@link SlotLedger#tryAcquire} of its demand, skipping those the latest counts already rule out.
 * A call still held after its {@code atMost} ends {@link HoldEnd#EXPIRED}.
 *
 * <p>All queue state lives on one Netty executor thread, which also runs the deadlines: no locks,
 * and no thread or timer thread per held call. Ledger calls are asynchronous; their answers hop
 * back to that thread. A user's retries run one pass at a time; a wake-up during a pass starts
 * another pass after it.
 *
 * <p>Room is bounded twice: {@code maxHeld} calls over all users (each keeps a connection open)
 * and {@code maxHeldPerUser} per user, so that one user's flood cannot take every place. A call
 * that may be a KBParallel child (a {@link JobClass.Child}, or a parallel app nested under an
 * active one) may use {@link #CHILD_RESERVE} places beyond its user's bound: refusing it fails its
 * whole parallel app, and a user's own waiting calls must not crowd it out.
 *
 * <p>{@link #stopHolding()} (a draining proxy) ends every hold {@link HoldEnd#STOPPED}, and every
 * later one at once: a restart must neither wait out the policy's maxWait (minutes) nor leave
 * held clients unanswered.
 */
public final class HoldQueues implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldQueues.class);

    /** One user's held calls in arrival order, and whether a retry pass is running. */
    private static final class UserQueue {
        final String user;
        final List<HeldCall> calls = new ArrayList<>();
        boolean passing;
        boolean again;

        UserQueue(String user) {
            this.user = user;
        }
    }

    private final SlotLedger ledger;
    private final HoldSettings settings;
    private final EventExecutor thread;
    /**
     * Places beyond {@code maxHeldPerUser} for calls that may be KBParallel children. Each of a
     * user's running parallel apps submits one call at a time, and no policy lets a user run
     * anywhere near 100 of them at once: the reserve covers every legitimate one, while a user
     * forging such calls still takes at most this many more places.
     */
    public static final int CHILD_RESERVE = 100;

    private final Map<String, UserQueue> queues = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    /** Calls held per user (counted from {@link #hold} until they leave), for the per-user bound. */
    private final Map<String, Integer> heldByUser = new ConcurrentHashMap<>();
    /**
     * Priorities set by {@link #move}, by ticket, so that a call held again (after its wait ended
     * and was decided again) keeps its place. Touched only on the queues' thread; an entry goes when
     * its call is admitted or its client leaves.
     */
    private final Map<String, Integer> moved = new HashMap<>();
    private volatile boolean stopping;
    /** Told every user's counts the queues read from the ledger (the live state model keeps them). */
    private volatile BiConsumer<String, UserCounts> countsSeen = (user, counts) -> {};

    public HoldQueues(SlotLedger ledger, HoldSettings settings) {
        this.ledger = ledger;
        this.settings = settings;
        this.thread = new DefaultEventExecutor(new DefaultThreadFactory("ee2proxy-holds", true));
        ledger.onRelease(user -> {
            if (queues.containsKey(user)) {
                thread.execute(() -> pass(user));
            }
        });
        long every = settings.recheckEvery().toMillis();
        thread.scheduleWithFixedDelay(() -> List.copyOf(queues.keySet()).forEach(this::pass), every, every,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Queues a call whose demand does not fit now, or finds no room for it: {@code maxHeld} calls
     * wait already, or {@code maxHeldPerUser} of its user's (plus {@link #CHILD_RESERVE} for a
     * call that may be a KBParallel child). The caller answers a call that found no room.
     *
     * @param ticket the call's ticket: an admission takes the demand under it
     * @param atMost how long to hold before ending {@link HoldEnd#EXPIRED}
     */
    public Place hold(String user, String ticket, Classification classification, SlotDemand demand,
            Duration atMost) {
        if (held.incrementAndGet() > settings.maxHeld()) {
            held.decrementAndGet();
            return new Place.Full(Place.Bound.ALL_USERS, settings.maxHeld());
        }
        int bound = mayBeKbParallelChild(classification)
                ? settings.maxHeldPerUser() + CHILD_RESERVE
                : settings.maxHeldPerUser();
        boolean[] room = {false};
        heldByUser.compute(user, (u, n) -> {
            int now = n == null ? 0 : n;
            room[0] = now < bound;
            return room[0] ? now + 1 : n;
        });
        if (!room[0]) {
            held.decrementAndGet();
            return new Place.Full(Place.Bound.THIS_USER, settings.maxHeldPerUser());
        }
        HeldCall call = new HeldCall(user, ticket, classification, demand, atMost);
        // Cancelled (client gone): leave the queue. Submitted after enqueue, so it runs after it.
        call.future().whenComplete((end, error) -> {
            if (call.future().isCancelled()) {
                thread.execute(() -> {
                    leave(call);
                    moved.remove(call.ticket());
                });
            }
        });
        thread.execute(() -> enqueue(call));
        return new Place.Waiting(call);
    }

    /**
     * Moves {@code user}'s waiting call {@code ticket} ahead ({@code priority} > 0) or behind (< 0)
     * of the user's other waiting calls of its kind (HoldOrder: a call stays in its group: own jobs,
     * nested apps, children, new apps), and retries the queue in the new order. Completes true when such a
     * call waits now.
     */
    public CompletionStage<Boolean> move(String user, String ticket, int priority) {
        CompletableFuture<Boolean> found = new CompletableFuture<>();
        thread.execute(() -> {
            UserQueue q = queues.get(user);
            HeldCall call = q == null ? null
                    : q.calls.stream().filter(c -> c.ticket().equals(ticket)).findFirst().orElse(null);
            if (call != null) {
                call.priority = priority;
                moved.put(ticket, priority);
                pass(user);
            }
            found.complete(call != null);
        });
        return found;
    }

    /**
     * Admits {@code user}'s waiting call {@code ticket} now, whatever the counts say (an operator's
     * "release"): its demand is taken without limits under its ticket. Completes true when such a
     * call waited and was admitted.
     */
    public CompletionStage<Boolean> release(String user, String ticket) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        thread.execute(() -> {
            HeldCall call = find(user, ticket);
            if (call == null) {
                done.complete(false);
                return;
            }
            ledger.tryAcquire(user, ticket, call.demand().unlimited()).whenCompleteAsync((admission, error) -> {
                boolean taken = error == null && admission.admitted();
                if (taken) {
                    admitted(call);
                }
                done.complete(taken && call.future().getNow(null) == HoldEnd.ADMITTED);
            }, thread);
        });
        return done;
    }

    /**
     * Ends {@code user}'s waiting call {@code ticket} {@link HoldEnd#REFUSED} with {@code message}
     * (an operator's refusal, or its owner cancelling it); nothing was taken. Completes true when
     * such a call waited.
     */
    public CompletionStage<Boolean> refuse(String user, String ticket, String message) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        thread.execute(() -> {
            HeldCall call = find(user, ticket);
            if (call == null || !leave(call)) {
                done.complete(false);
                return;
            }
            moved.remove(ticket);
            call.refusal(message);
            done.complete(call.future().complete(HoldEnd.REFUSED));
        });
        return done;
    }

    /**
     * Ends every waiting call of {@code user} that {@code which} picks {@link HoldEnd#REFUSED} with
     * {@code message} (a cancelled parallel app's waiting children); nothing was taken for them, and
     * a take in flight is given back. Completes with the calls so ended.
     */
    public CompletionStage<List<HeldCall>> refuseWhere(String user, Predicate<HeldCall> which, String message) {
        CompletableFuture<List<HeldCall>> done = new CompletableFuture<>();
        thread.execute(() -> {
            UserQueue q = queues.get(user);
            List<HeldCall> picked = q == null ? List.of() : q.calls.stream().filter(c -> c.queued && which.test(c)).toList();
            List<HeldCall> ended = new ArrayList<>(picked.size());
            for (HeldCall call : picked) {
                if (leave(call)) {
                    moved.remove(call.ticket());
                    call.refusal(message);
                    if (call.future().complete(HoldEnd.REFUSED)) {
                        ended.add(call);
                    }
                }
            }
            done.complete(ended);
        });
        return done;
    }

    /** Told each user's counts whenever the queues read them from the ledger (on the queues' thread; keep it short). */
    public void onCounts(BiConsumer<String, UserCounts> listener) {
        this.countsSeen = listener;
    }

    /** {@code user}'s waiting calls, in the order they are tried (HoldOrder), read on the queues' thread. */
    public CompletionStage<List<HeldCall>> waiting(String user) {
        CompletableFuture<List<HeldCall>> out = new CompletableFuture<>();
        thread.execute(() -> {
            UserQueue q = queues.get(user);
            out.complete(q == null ? List.of()
                    : HoldOrder.of(List.copyOf(q.calls), HeldCall::classification, HeldCall::priority));
        });
        return out;
    }

    /**
     * Ends every call of {@code user} waiting now {@link HoldEnd#EXPIRED} after {@code delay}, so
     * that the gate decides each again (same ticket, same total wait) with the user's limits then
     * in force: an operator changed them, or their override ends. A move's priority stays.
     */
    public void decideAgain(String user, Duration delay) {
        thread.schedule(() -> {
            UserQueue q = queues.get(user);
            if (q != null) {
                List.copyOf(q.calls).forEach(this::expire);
            }
        }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    private HeldCall find(String user, String ticket) {
        UserQueue q = queues.get(user);
        return q == null ? null : q.calls.stream().filter(c -> c.ticket().equals(ticket) && c.queued).findFirst().orElse(null);
    }

    /** A child, or a parallel app nested under an active one: refusing it fails its parallel app. */
    static boolean mayBeKbParallelChild(Classification c) {
        return c.jobClass() instanceof JobClass.Child
                || (c.jobClass() instanceof JobClass.Parent p && p.parentJobId() != null);
    }

    /** Calls of {@code user} that wait now (or are on their way into the queue). */
    public int held(String user) {
        return heldByUser.getOrDefault(user, 0);
    }

    /** One held call is gone: it no longer counts against either bound. */
    private void gone(HeldCall call) {
        held.decrementAndGet();
        heldByUser.computeIfPresent(call.user(), (u, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Ends every held call {@link HoldEnd#STOPPED}, and from now on every call held ends so as soon
     * as it is queued. Calls already admitted are not affected. Idempotent.
     */
    public void stopHolding() {
        stopping = true;
        thread.execute(() -> {
            List<HeldCall> all = new ArrayList<>();
            queues.values().forEach(q -> all.addAll(q.calls));
            if (!all.isEmpty()) {
                LOG.info("answering {} held calls: the proxy is stopping", all.size());
            }
            all.forEach(this::stop);
        });
    }

    /** Whether {@link #stopHolding()} was called: a call held now would end at once. */
    public boolean stopping() {
        return stopping;
    }

    /** Calls held now, over all users. */
    public int held() {
        return held.get();
    }

    /** Calls in the user's queue now (a call is queued on the queues' thread soon after {@link #hold}). */
    int queued(String user) {
        return thread.submit(() -> {
            UserQueue q = queues.get(user);
            return q == null ? 0 : q.calls.size();
        }).syncUninterruptibly().getNow();
    }

    @Override
    public void close() {
        thread.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void enqueue(HeldCall call) {
        if (call.future().isDone()) {
            gone(call); // dropped before it was queued
            moved.remove(call.ticket());
            return;
        }
        if (stopping) {
            gone(call); // the proxy is stopping: hold nothing (stopHolding's sweep may have run already)
            call.future().complete(HoldEnd.STOPPED);
            return;
        }
        UserQueue q = queues.computeIfAbsent(call.user(), UserQueue::new);
        q.calls.add(call);
        call.queued = true;
        call.priority = moved.getOrDefault(call.ticket(), 0);
        call.deadline = thread.schedule(() -> expire(call), call.atMost().toNanos(), TimeUnit.NANOSECONDS);
        // A release between the ledger saying "full" and now woke nobody: look once.
        pass(call.user());
    }

    private void expire(HeldCall call) {
        if (leave(call)) {
            call.future().complete(HoldEnd.EXPIRED);
        }
    }

    private void stop(HeldCall call) {
        if (leave(call)) {
            call.future().complete(HoldEnd.STOPPED);
        }
    }

    /** Takes the call out of its queue; false if it was not in it. */
    private boolean leave(HeldCall call) {
        if (!call.queued) {
            return false;
        }
        call.queued = false;
        call.deadline.cancel(false);
        gone(call);
        UserQueue q = queues.get(call.user());
        if (q != null) {
            q.calls.remove(call);
            if (q.calls.isEmpty() && !q.passing) {
                queues.remove(q.user, q);
            }
        }
        return true;
    }

    private void pass(String user) {
        UserQueue q = queues.get(user);
        if (q == null) {
            return;
        }
        if (q.passing) {
            q.again = true;
            return;
        }
        q.passing = true;
        q.again = false;
        List<HeldCall> order = HoldOrder.of(List.copyOf(q.calls), HeldCall::classification, HeldCall::priority);
        ledger.counts(user).whenCompleteAsync((counts, error) -> {
            if (error != null) {
                LOG.debug("counts of {} unavailable; held calls retried later: {}", user, error.toString());
                endPass(q);
            } else {
                countsSeen.accept(user, counts);
                next(q, order, 0, counts);
            }
        }, thread);
    }

    /** Tries the first call from {@code from} on whose demand fits {@code counts}; then the rest. */
    private void next(UserQueue q, List<HeldCall> order, int from, UserCounts counts) {
        for (int i = from; i < order.size(); i++) {
            HeldCall call = order.get(i);
            if (!call.queued || !call.demand().fits(counts)) {
                continue;
            }
            int after = i + 1;
            ledger.tryAcquire(q.user, call.ticket(), call.demand()).whenCompleteAsync((admission, error) -> {
                if (error != null || admission.verdict() == Admission.Verdict.LEDGER_UNAVAILABLE) {
                    endPass(q);
                    return;
                }
                if (admission.admitted()) {
                    admitted(call);
                } else if (admission.verdict() == Admission.Verdict.CHILDREN_BOUND && leave(call)) {
                    // Its parent has children.perParent children already: it is no child. The hold
                    // ends now and the gate decides again, finding the bound and classifying it anew.
                    call.future().complete(HoldEnd.EXPIRED);
                }
                next(q, order, after, admission.counts());
            }, thread);
            return;
        }
        endPass(q);
    }

    private void admitted(HeldCall call) {
        moved.remove(call.ticket());
        if (leave(call)) {
            if (!call.future().complete(HoldEnd.ADMITTED)) {
                ledger.releaseTicket(call.user(), call.ticket()); // dropped meanwhile
            }
        } else if (call.future().isCancelled() || call.future().getNow(null) == HoldEnd.STOPPED
                || call.future().getNow(null) == HoldEnd.REFUSED) {
            // dropped, stopped or refused (an operator, its owner) while the take was in flight
            ledger.releaseTicket(call.user(), call.ticket());
        }
        // Otherwise it expired while the take was in flight: deciding again takes the same ticket,
        // which the ledger admits once, without taking more.
    }

    private void endPass(UserQueue q) {
        q.passing = false;
        if (q.calls.isEmpty()) {
            queues.remove(q.user, q);
        } else if (q.again) {
            pass(q.user);
        }
    }
}
