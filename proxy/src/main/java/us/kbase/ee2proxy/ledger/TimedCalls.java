package us.kbase.ee2proxy.ledger;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every Redis call of the ledger, timed ({@code ledger.redis.<operation>}), counted when it fails
 * ({@code ledger.redis.errors}) and bounded: Redisson's own timeout covers a sent command, the
 * guard here (4 call timeouts) also covers waiting for a connection while Redis is unreachable. A
 * failure is a {@link LedgerUnavailableException}.
 */
final class TimedCalls {
    private final MetricRegistry metrics;
    private final Counter errors;
    private final long guardMillis;
    private final Runnable answered;
    /** One timer per operation, found once (not a name built and looked up on every call). */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** Why the last call failed, or null after one succeeded: for /health. */
    private volatile String lastFailure;

    /** @param answered run after each call Redis answered */
    TimedCalls(MetricRegistry metrics, Duration callTimeout, Runnable answered) {
        this.metrics = metrics;
        this.errors = metrics.counter("ledger.redis.errors");
        this.guardMillis = callTimeout.toMillis() * 4;
        this.answered = answered;
    }

    <R> CompletionStage<R> timed(String operation, Supplier<CompletionStage<R>> call) {
        Timer.Context timer = timers.computeIfAbsent(operation, op -> metrics.timer("ledger.redis." + op)).time();
        CompletableFuture<R> result;
        try {
            result = call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.orTimeout(guardMillis, TimeUnit.MILLISECONDS).handle((value, error) -> {
            timer.stop();
            if (error != null) {
                errors.inc();
                lastFailure = operation + ": " + rootMessage(error);
                throw new LedgerUnavailableException("Redis " + operation + " failed", error);
            }
            lastFailure = null;
            answered.run();
            return value;
        });
    }

    /** Why the last Redis call failed; empty once one has succeeded since. */
    Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
