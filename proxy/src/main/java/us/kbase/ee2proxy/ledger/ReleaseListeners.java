package us.kbase.ee2proxy.ledger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is told that a user's slots were released (the hold queues, which then retry that user's
 * waiting calls). One listener that fails must not keep the others from hearing: a waiting call
 * not retried waits for the next release.
 */
final class ReleaseListeners {
    private static final Logger log = LoggerFactory.getLogger(ReleaseListeners.class);

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<String> listener) {
        listeners.add(listener);
    }

    void wake(String user) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(user);
            } catch (RuntimeException e) {
                log.warn("release listener failed", e);
            }
        }
    }
}
