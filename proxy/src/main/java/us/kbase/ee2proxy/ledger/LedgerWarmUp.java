package us.kbase.ee2proxy.ledger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the Redis ledger ready at start, not on the first decision: connects to every master,
 * loads every script (SCRIPT LOAD on every master), runs one decision-path call within its normal
 * bound, and waits for the release channel's subscription. Until all of that has succeeded once,
 * {@link #ready()} is false (and {@code /health} answers 503 with {@link #state()}) (and {@code /health} answers 503); a step that fails is tried
 * again every {@code retryEvery} until it succeeds or the ledger closes.
 *
 * <p>Ready once is ready: a Redis outage later is the failure policy's business, not the load
 * balancer's (every replica shares the Redis, so taking them all out of rotation would stop the
 * pass-through traffic too, which never needs Redis). {@code /health} then still answers 200 and
 * says what the last Redis call met.
 */
public final class LedgerWarmUp {
    private static final Logger log = LoggerFactory.getLogger(LedgerWarmUp.class);
    /** Not a possible KBase user name ([a-z0-9_]): the probe never touches a real user's keys. */
    static final String PROBE_USER = "(ready)";
    /** Bound on connecting and loading the scripts, and on the subscription: TLS and topology discovery included. */
    private static final Duration STEP_BOUND = Duration.ofSeconds(10);
    /** A WARN at most this often while Redis stays unreachable. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final RedisSlotLedger ledger;
    private final String where;
    private final Duration retryEvery;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile String notReadyBecause = "connecting to Redis";
    private volatile boolean stopped;
    private long lastWarn;
    private int attempts;

    private LedgerWarmUp(RedisSlotLedger ledger, String where, Duration retryEvery) {
        this.ledger = ledger;
        this.where = where;
        this.retryEvery = retryEvery;
    }

    /**
     * Starts warming {@code ledger} up in the background.
     *
     * @param where the Redis, as logs may show it (no password)
     */
    public static LedgerWarmUp start(RedisSlotLedger ledger, String where, Duration retryEvery) {
        LedgerWarmUp warmUp = new LedgerWarmUp(ledger, where, retryEvery);
        warmUp.attempt();
        return warmUp;
    }

    /** Completes once the ledger has answered, its scripts are loaded and its subscription holds. */
    public CompletionStage<Void> whenReady() {
        return ready;
    }

    public boolean ready() {
        return ready.isDone();
    }

    /** While not ready, why not; once ready, what the last Redis call met. */
    public String state() {
        if (!ready.isDone()) {
            return "the Redis ledger at " + where + " is not ready: " + notReadyBecause;
        }
        return ledger.lastFailure().map(f -> "Redis at " + where + " failing (" + f + ")")
                .orElse("Redis at " + where + " answering");
    }

    /** Stops retrying (the ledger is closing). */
    public void stop() {
        stopped = true;
    }

    private synchronized void attempt() {
        if (stopped || ready.isDone()) {
            return;
        }
        attempts++;
        step("connecting and loading the scripts", () -> ledger.connectAndLoadScripts(STEP_BOUND))
                .thenCompose(done -> step("the first ledger call", () -> ledger.counts(PROBE_USER)))
                .thenCompose(done -> step("subscribing to the release channel", () -> ledger.subscribed()
                        .toCompletableFuture().orTimeout(STEP_BOUND.toMillis(), TimeUnit.MILLISECONDS)))
                .whenComplete((done, error) -> {
                    if (error == null) {
                        notReadyBecause = null;
                        ready.complete(null);
                        log.info("Redis ledger at {} ready: connected, scripts loaded, subscribed{}", where,
                                attempts > 1 ? " (after " + attempts + " attempts)" : "");
                    } else {
                        retryLater();
                    }
                });
    }

    /** Runs one step; a failure records what failed as the reason not ready. */
    private <T> CompletionStage<T> step(String what, java.util.function.Supplier<CompletionStage<T>> action) {
        CompletionStage<T> stage;
        try {
            stage = action.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((value, error) -> {
            if (error != null) {
                notReadyBecause = what + " failed: " + rootMessage(error);
            }
        });
    }

    private void retryLater() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (lastWarn == 0 || now - lastWarn > WARN_EVERY_NANOS) {
                lastWarn = now;
                log.warn("Redis ledger at {} not ready yet ({}); /health answers 503 until it is; trying again every {} ms",
                        where, notReadyBecause, retryEvery.toMillis());
            }
        }
        Executor later = CompletableFuture.delayedExecutor(retryEvery.toMillis(), TimeUnit.MILLISECONDS);
        later.execute(this::attempt);
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
