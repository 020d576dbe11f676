package us.kbase.ee2proxy.stall;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.config.StallConfig;
import us.kbase.ee2proxy.status.LiveState;
import us.kbase.ee2proxy.status.Views;

/**
 * Finds stalled users in the live state, every {@code stall.every}.
 *
 * <p>A user is a stall candidate when their parallel apps (P(u) as the ledger counts them, plus
 * the jobs of unlisted apps seen fanning out) number at least their slots S, and those apps have
 * children outstanding (waiting at the proxy, or admitted to EE2 and unfinished). With S parallel
 * apps holding all S of HTCondor's slots, no child can start: what the proxy knows cannot tell a
 * queued child from a running one, but none can run then. A candidate whose children stop
 * finishing, and whose parallel apps stop finishing, for {@code stall.after} is stalled: a
 * finished child or app restarts the clock (that is progress, not a deadlock). The episode ends
 * when the user is no longer a candidate.
 *
 * <p>{@link #check()} is the whole logic, on the injected clock; {@link #start()} runs it on a
 * timer of its own thread.
 */
public final class StallDetector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StallDetector.class);
    /** Parent job ids named in one WARN; the rest are counted (the console lists them all). */
    static final int NAMED_IN_LOG = 20;

    private final LiveState live;
    private final StallConfig config;
    private final Clock clock;
    private final Counter episodesSeen;
    /** A candidate user's episode, by user. Guarded by this. */
    private final Map<String, Episode> episodes = new HashMap<>();
    /** Apps whose fan-out was logged. Guarded by this. */
    private final Set<String> hinted = new HashSet<>();
    private volatile int stalledNow;
    private ScheduledExecutorService timer;

    /** Since when a candidate made no progress, and whether its stall was reported. */
    private record Episode(Instant since, int finishedChildren, Set<String> apps, boolean reported) {}

    public StallDetector(LiveState live, StallConfig config, Clock clock, MetricRegistry registry) {
        this.live = Objects.requireNonNull(live, "live");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        registry.gauge("ee2proxy.stall.users", () -> (Gauge<Integer>) () -> stalledNow);
        this.episodesSeen = registry.counter("ee2proxy.stall.episodes");
    }

    /** Checks every {@code stall.every} on a daemon thread until closed. */
    public synchronized StallDetector start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ee2proxy-stall", true));
            long every = config.every().toMillis();
            timer.scheduleWithFixedDelay(this::checkLogged, every, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void checkLogged() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("stall check failed (tried again in {}): {}", config.every(), e.toString());
        }
    }

    /** One look: updates the episodes, logs, and publishes the stalls to the live state. */
    public synchronized List<Views.Stall> check() {
        Instant now = clock.instant();
        Views.State state = live.state();
        List<Views.Stall> stalled = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Views.User u : state.users()) {
            seen.add(u.user());
            Views.Stall s = look(u, now);
            if (s != null) {
                stalled.add(s);
            }
        }
        episodes.keySet().retainAll(seen);
        stalledNow = stalled.size();
        live.stalls(stalled);
        hintFanOuts(state.fanOuts());
        return stalled;
    }

    /** The user's stall, or null; moves their episode on. */
    private Views.Stall look(Views.User u, Instant now) {
        // A cancelled app stays shown for a while after it ends: it holds no slot.
        List<Views.App> running = u.parallelApps().stream().filter(a -> a.cancelled() == null).toList();
        int unlisted = (int) running.stream().filter(a -> !a.listed()).count();
        Integer counted = u.slots().parallelApps();
        int parents = (counted == null ? 0 : counted) + unlisted;
        int outstanding = 0;
        int finished = 0;
        Set<String> apps = new TreeSet<>();
        for (Views.App a : running) {
            outstanding += a.children().waiting() + a.children().admitted();
            finished += a.children().finished();
            apps.add(a.jobId());
        }
        Episode was = episodes.get(u.user());
        if (parents < u.slots().slots() || outstanding == 0) {
            episodes.remove(u.user());
            if (was != null && was.reported()) {
                LOG.info("stall of {} is over: {} parallel apps for {} slots, {} children outstanding", u.user(), parents,
                        u.slots().slots(), outstanding);
            }
            return null;
        }
        boolean progress = was == null || was.finishedChildren() != finished || !apps.containsAll(was.apps());
        Episode ep = progress ? new Episode(now, finished, apps, false) : new Episode(was.since(), finished, apps,
                was.reported());
        Duration stalledFor = Duration.between(ep.since(), now);
        if (stalledFor.compareTo(config.after()) < 0) {
            episodes.put(u.user(), ep);
            return null;
        }
        Views.Stall stall = stall(u, running, parents, ep.since(), stalledFor);
        if (!ep.reported()) {
            episodesSeen.inc();
            LOG.warn("STALL: {}", stall.text());
            ep = new Episode(ep.since(), finished, apps, true);
        }
        episodes.put(u.user(), ep);
        return stall;
    }

    private static Views.Stall stall(Views.User u, List<Views.App> running, int parents, Instant since,
            Duration stalledFor) {
        List<Views.StalledApp> apps = new ArrayList<>();
        Map<String, Integer> byApp = new TreeMap<>();
        Set<String> missing = new TreeSet<>();
        int waiting = 0;
        int admitted = 0;
        for (Views.App a : running) {
            apps.add(new Views.StalledApp(a.jobId(), a.app(), a.listed(), a.children().waiting(), a.children().admitted()));
            byApp.merge(a.app(), 1, Integer::sum);
            waiting += a.children().waiting();
            admitted += a.children().admitted();
            if (!a.listed()) {
                missing.add(a.app());
            }
        }
        String named = apps.stream().limit(NAMED_IN_LOG).map(a -> a.jobId() + " (" + a.app() + ")")
                .collect(Collectors.joining(", "))
                + (apps.size() > NAMED_IN_LOG ? " and " + (apps.size() - NAMED_IN_LOG) + " more" : "");
        String text = u.user() + ": all " + u.slots().slots() + " slots are taken by " + parents + " parallel apps ("
                + byApp.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "))
                + ") whose " + (waiting + admitted) + " children cannot start (" + waiting + " waiting at the proxy, "
                + admitted + " sent to EE2 and unfinished); no child or parallel app finished for "
                + stalledFor.toSeconds() + " s. Parents: " + named + ". "
                + (missing.isEmpty() ? "Every app is in parents.apps (check parents.maxPerUser against slots, and mode)."
                        : "Missing from parents.apps: " + String.join(", ", missing) + " (add "
                                + missing.stream().map(m -> "`- " + m + "`").collect(Collectors.joining(", ")) + ").");
        return new Views.Stall(u.user(), u.slots().slots(), parents, apps, since.toString(), stalledFor.toSeconds(),
                List.copyOf(missing), text);
    }

    private void hintFanOuts(List<Views.FanOut> fanOuts) {
        for (Views.FanOut f : fanOuts) {
            if (hinted.add(f.app())) {
                LOG.warn("app {} fans out ({} of {}: {}) but is not in parents.apps: add `{}` to parents.apps, or its"
                        + " jobs can take all of a user's slots and wait for children that never start", f.app(), f.jobId(),
                        f.user(), f.how(), f.line());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
