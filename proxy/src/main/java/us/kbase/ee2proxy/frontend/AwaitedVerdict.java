package us.kbase.ee2proxy.frontend;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.admission.ReplyObserver;
import us.kbase.ee2proxy.admission.Verdict;

/**
 * A call's admission verdict that the gate has not given yet (the call is held, or waits on auth2
 * or the ledger). It is delivered on the connection's event loop, unless the relay abandoned the
 * call first (the client left or half-closed, or the proxy closed). An abandoned call is never
 * forwarded: its stage is cancelled (a gate that can see it drops the hold), and a Forward that
 * still arrives gives its leases back ({@link ReplyObserver#onNotForwarded()}), also when the event
 * loop is gone by then (the proxy closed).
 */
final class AwaitedVerdict {
    private static final Logger LOG = LoggerFactory.getLogger(AwaitedVerdict.class);

    private final CompletionStage<Verdict> stage;
    /** Written and read on the event loop only; the loop-gone path needs no flag. */
    private boolean abandoned;

    /** @param arrived the relay's continuation, run on {@code loop} unless the call was abandoned */
    AwaitedVerdict(CompletionStage<Verdict> stage, EventExecutor loop, BiConsumer<Verdict, Throwable> arrived) {
        this.stage = stage;
        stage.whenComplete((verdict, error) -> {
            try {
                loop.execute(() -> {
                    if (abandoned) {
                        giveBack(verdict);
                    } else {
                        arrived.accept(verdict, error);
                    }
                });
            } catch (RejectedExecutionException loopGone) {
                giveBack(verdict); // the proxy closed: nothing can forward it any more
            }
        });
    }

    /** The stage's future when it already holds a verdict, else null. A CompletableFuture returns itself. */
    static CompletableFuture<Verdict> settled(CompletionStage<Verdict> stage) {
        try {
            CompletableFuture<Verdict> future = stage.toCompletableFuture();
            return future.isDone() && !future.isCompletedExceptionally() ? future : null;
        } catch (UnsupportedOperationException noFuture) {
            return null;
        }
    }

    /** Never act on this verdict. Call on the event loop. */
    void abandon() {
        abandoned = true;
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException stageWithoutFuture) {
            // the gate chose a stage that cannot be cancelled; its verdict is given back on arrival
        }
    }

    /** A Forward that will not be sent: its observer gives back what the verdict took. */
    static void giveBack(Verdict verdict) {
        if (verdict instanceof Verdict.Forward forward && forward.observer() != null) {
            try {
                forward.observer().onNotForwarded();
            } catch (RuntimeException e) {
                LOG.warn("reply observer failed: {}", e.toString());
            }
        }
    }
}
