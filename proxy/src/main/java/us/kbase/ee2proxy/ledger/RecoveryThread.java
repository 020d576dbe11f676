package us.kbase.ee2proxy.ledger;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one thread of a replica's ledger that waits on Redis: it writes the journal back, reads the
 * generation and rebuilds. Steps that must run one after another in order run here, so that no
 * event loop ever waits on Redis or on a lock held across a Redis call.
 */
final class RecoveryThread {
    /** Bound on one step waited for here (the Redis calls have their own, shorter, timeout). */
    static final Duration STEP_WAIT = Duration.ofSeconds(30);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ledger-recovery");
        t.setDaemon(true);
        return t;
    });

    void every(Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(task, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void now(Runnable task) {
        executor.execute(task);
    }

    void after(long nanos, Runnable task) {
        executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        executor.shutdownNow();
    }

    /** Waits for a step on this thread, bounded by {@link #STEP_WAIT}. */
    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
