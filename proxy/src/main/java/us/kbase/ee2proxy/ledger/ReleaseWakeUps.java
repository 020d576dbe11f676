package us.kbase.ee2proxy.ledger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.redisson.api.RTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release channel of the Redis ledger, as a replica hears it: every script that frees a lease
 * publishes the user's name, and each listener here is told (a call waiting at this proxy for that
 * user is tried again). Redis may be down when the proxy starts: the subscription is then made
 * again after the next call Redis answers (once Redisson holds it, it renews it across reconnects
 * by itself).
 */
final class ReleaseWakeUps {
    private static final Logger log = LoggerFactory.getLogger(ReleaseWakeUps.class);

    private final RTopic releases;
    private final String channelName;
    private final ReleaseListeners listeners = new ReleaseListeners();
    private final AtomicReference<CompletableFuture<Void>> subscription = new AtomicReference<>();

    ReleaseWakeUps(RTopic releases, String channelName) {
        this.releases = releases;
        this.channelName = channelName;
        CompletableFuture<Void> first = new CompletableFuture<>();
        subscription.set(first);
        subscribe(first);
    }

    void onRelease(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Completes once the channel is subscribed: wake-ups from other replicas arrive. */
    CompletionStage<Void> subscribed() {
        return subscription.get();
    }

    /** After a call Redis answered: subscribes again if the last attempt failed. */
    void resubscribeIfLost() {
        CompletableFuture<Void> current = subscription.get();
        if (current.isCompletedExceptionally()) {
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (subscription.compareAndSet(current, next)) {
                subscribe(next);
            }
        }
    }

    void close() {
        releases.removeAllListenersAsync();
    }

    private void subscribe(CompletableFuture<Void> outcome) {
        try {
            releases.addListenerAsync(String.class, (channel, user) -> wake(user)).whenComplete((id, error) -> {
                if (error == null) {
                    outcome.complete(null);
                } else {
                    outcome.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
        }
        outcome.whenComplete((done, error) -> {
            if (error != null) {
                log.warn("Not subscribed to {} yet (Redis: {}); trying again once Redis answers",
                        channelName, error.getMessage());
            }
        });
    }

    private void wake(String user) {
        listeners.wake(user);
    }
}
