package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes Redis has not had yet, oldest first, and whether Redis failed since it last had them
 * all: rule 2 of {@link Outage}. Appended to from any thread; written back by one thread
 * ({@link #writeBack}), in order, one step at a time. Never locked during a Redis call.
 */
final class OutageJournal {
    private static final Logger log = LoggerFactory.getLogger(ResilientLedger.class);

    /** One write Redis has not had yet. */
    private record Step(String what, Supplier<CompletionStage<?>> call) {}

    private final ArrayDeque<Step> steps = new ArrayDeque<>();
    /** A Redis call failed, and no write-back has since found Redis answering with nothing owed. Guarded by steps. */
    private boolean down;
    private final Counter writtenBack;
    /** On the writing-back thread: when the last "writes still owed" warning was logged. */
    private long lastWarned = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    OutageJournal(Counter writtenBack) {
        this.writtenBack = writtenBack;
    }

    /** Redis answered the last call and nothing is owed to it. */
    boolean clear() {
        synchronized (steps) {
            return !down && steps.isEmpty();
        }
    }

    /** Writes Redis has not had yet. */
    int size() {
        synchronized (steps) {
            return steps.size();
        }
    }

    /** Appends the write when something is owed already (answers true); else the caller sends it. */
    boolean appendIfOwing(String what, Supplier<CompletionStage<?>> call) {
        synchronized (steps) {
            if (down || !steps.isEmpty()) {
                steps.add(new Step(what, call));
                return true;
            }
            return false;
        }
    }

    /** A write that failed (it may have run): Redis is down, and the write is owed. */
    void appendFailed(String what, Supplier<CompletionStage<?>> call) {
        synchronized (steps) {
            down = true;
            steps.add(new Step(what, call));
        }
    }

    /** Appends a write to be written back at once; answers whether it is the only one (then start writing back). */
    boolean appendBehind(String what, Supplier<CompletionStage<?>> call) {
        synchronized (steps) {
            boolean first = steps.isEmpty();
            steps.add(new Step(what, call));
            return first;
        }
    }

    /** A call failed: answers true for the first failure since Redis last had every write. */
    boolean markDown() {
        synchronized (steps) {
            boolean first = !down;
            down = true;
            return first;
        }
    }

    /**
     * Writes every owed step back in order, each bounded by {@code stepWait}; once none is left,
     * Redis is up again. A step that fails stops it and throws (the step stays first; the caller
     * tells {@link #failedAgain}); the next write-back starts with it again.
     */
    void writeBack(Duration stepWait) throws Exception {
        while (true) {
            Step step;
            synchronized (steps) {
                step = steps.peek();
                if (step == null) {
                    if (down) {
                        down = false;
                        log.warn("Redis ledger answers again and has every write this replica owed it");
                    }
                    return;
                }
            }
            step.call().get().toCompletableFuture().get(stepWait.toMillis(), TimeUnit.MILLISECONDS);
            synchronized (steps) {
                steps.poll();
            }
            writtenBack.inc();
        }
    }

    /** Redis failed on the writing-back thread (a step, or a read before the steps): logged now and then. */
    void failedAgain(Exception e) {
        markDown();
        long now = System.nanoTime();
        if (size() > 0 && now - lastWarned > TimeUnit.SECONDS.toNanos(30)) {
            lastWarned = now;
            log.warn("Redis ledger: {} writes still owed ({}); trying again every probe", size(), e.toString());
        } else {
            log.debug("Redis ledger still unavailable: {}", e.toString());
        }
    }
}
