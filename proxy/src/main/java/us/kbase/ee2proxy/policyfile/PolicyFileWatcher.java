package us.kbase.ee2proxy.policyfile;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the policy when its file changes. Watches the file's directory, not the file: editors
 * save by writing a new file and renaming it over the old one, and Kubernetes swaps a ConfigMap's
 * {@code ..data} symlink; both replace the file a watch on it would follow. Any
 * event about the file starts a debounce; when it has been quiet that long, the policy is
 * reloaded if the file's content changed (one save is often several events).
 */
public final class PolicyFileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyFileWatcher.class);

    private final LivePolicy policy;
    private final String fileName;
    private final Duration debounce;
    private final WatchService watch;
    private final Thread watcher;
    private final ScheduledExecutorService reloads;
    private ScheduledFuture<?> pending;

    private PolicyFileWatcher(LivePolicy policy, Duration debounce) throws IOException {
        this.policy = policy;
        this.debounce = debounce;
        this.fileName = policy.file().getFileName().toString();
        Path dir = policy.file().toAbsolutePath().getParent();
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.reloads = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ee2proxy-policy-reload", true));
        this.watcher = new Thread(this::watchLoop, "ee2proxy-policy-watch");
        this.watcher.setDaemon(true);
    }

    /**
     * Starts watching {@code policy}'s file; null when it has none or its directory cannot be
     * watched (logged: the admin endpoint still reloads).
     */
    public static PolicyFileWatcher start(LivePolicy policy, Duration debounce) {
        if (policy.file() == null) {
            return null;
        }
        try {
            PolicyFileWatcher w = new PolicyFileWatcher(policy, debounce);
            w.watcher.start();
            LOG.info("watching {} for policy changes", policy.file());
            return w;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot watch {} for changes ({}); reload it with POST /admin/policy/reload", policy.file(),
                    e.toString());
            return null;
        }
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    ours |= concernsPolicy(event);
                }
                if (ours) {
                    changed();
                }
                if (!key.reset()) {
                    LOG.warn("the directory of {} is gone; no more automatic policy reloads", policy.file());
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /**
     * The policy file itself, a Kubernetes ConfigMap's {@code ..data} swap, or lost events. Other
     * files in the directory (a log file written next to it, say) are none of our business.
     */
    private boolean concernsPolicy(WatchEvent<?> event) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            return true;
        }
        String name = event.context().toString();
        return name.equals(fileName) || name.startsWith("..");
    }

    private synchronized void changed() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = reloads.schedule(policy::reloadIfChanged, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            // nothing left to do
        }
        watcher.interrupt();
        reloads.shutdownNow();
    }
}
