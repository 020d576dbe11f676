package us.kbase.ee2proxy.sim.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.kbase.ee2proxy.sim.scheduler.Job;
import us.kbase.ee2proxy.sim.scheduler.JobStatus;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/**
 * What happens once HTCondor starts a job: it works for its app's time, a parent then runs its
 * children KBParallel-style, and the job finishes: in error when its app is set to fail, or when
 * a parent's child run_job got an error reply. Without simulated runners the simulator moves the
 * job itself; with them a {@link SimulatedRunner} does it over HTTP through the run's URL.
 */
public final class JobExecution implements Consumer<Job> {
    private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
    private final Scheduler scheduler;
    private final Supplier<RunSettings> settings;
    private final ScheduledExecutorService timer;
    private final Ee2Client client;
    private final Map<String, AtomicInteger> runsPerApp = new ConcurrentHashMap<>();
    /** Each started job's calls (its runner's, its parallel app's), for a stalled run to name. */
    private final Map<String, CallLog> calls = new ConcurrentHashMap<>();

    public JobExecution(Scheduler scheduler, Supplier<RunSettings> settings, ScheduledExecutorService timer,
                        Ee2Client client) {
        this.scheduler = scheduler;
        this.settings = settings;
        this.timer = timer;
        this.client = client;
    }

    /** A new run: failure counts start again, and calls the old run's jobs still wait on are dropped. */
    public void reset() {
        runsPerApp.clear();
        calls.clear();
        client.cancelAll();
    }

    /** How a job's work ended: {@code error} is null when it succeeded. */
    @FunctionalInterface
    interface Ending {
        void ended(String error);
    }

    @Override
    public void accept(Job job) {
        RunSettings s = settings.get();
        AppProfile profile = s.profile(job.spec().method());
        boolean fails = profile.failures() > 0
                && runsPerApp.computeIfAbsent(profile.method(), m -> new AtomicInteger()).incrementAndGet()
                        <= profile.failures();
        if (s.runners()) {
            new SimulatedRunner(job, profile, fails, s, this).start();
        } else {
            scheduler.markRunning(job);
            work(job, profile, s, error -> {
                String why = error != null ? error : fails ? simulatedFailure(profile) : null;
                if (why != null) {
                    scheduler.finish(job, JobStatus.ERROR, why, 1, null);
                } else {
                    scheduler.finish(job, JobStatus.COMPLETED, null, null, null);
                }
            });
        }
    }

    static String simulatedFailure(AppProfile profile) {
        return "Simulated failure of " + profile.method();
    }

    /**
     * The job's own time, then (a parent) its children; then {@code end}, unless it was stopped:
     * with null, or a parent's error when a child's run_job got an error reply.
     */
    void work(Job job, AppProfile profile, RunSettings s, Ending end) {
        Runnable afterOwnWork = () -> {
            if (!alive(job)) {
                return;
            }
            if (profile.isParent()) {
                new ParallelApp(job, profile.children(), s, this, timer, new AppHost(job, end)).start();
            } else {
                end.ended(null);
            }
        };
        timer.schedule(guarded(afterOwnWork), s.millis(profile.seconds()), TimeUnit.MILLISECONDS);
    }

    /** A parallel app's view of the job it runs in. */
    private final class AppHost implements ParallelApp.Host {
        private final Job job;
        private final Ending end;

        AppHost(Job job, Ending end) {
            this.job = job;
            this.end = end;
        }

        @Override
        public boolean alive() {
            return JobExecution.this.alive(job);
        }

        /**
         * The child reached EE2 (perhaps after a proxy held it): remember who spawned it and when
         * it was sent, even when the parent has ended meanwhile (the child is then an orphan).
         */
        @Override
        public void childCreated(String childId, long sentAt) {
            Job child = scheduler.find(childId);
            if (child != null) {
                scheduler.spawned(child, job.id(), sentAt);
            }
        }

        @Override
        public void completed() {
            end.ended(null);
        }

        /** Marked first, so a report can tell this failure from the app's own, then ended as any failed job. */
        @Override
        public void failed(String message) {
            scheduler.childRefused(job, message);
            end.ended(message);
        }
    }

    /** Still the scheduler's job and not finished (not cancelled, not forgotten by a reset). */
    boolean alive(Job job) {
        return scheduler.find(job.id()) == job && !job.status().isTerminal();
    }

    /** No longer the scheduler's job: a reset forgot it (or it was retired long after finishing). */
    boolean forgotten(Job job) {
        return scheduler.find(job.id()) != job;
    }

    /**
     * {@code who} ("runner", "app") of {@code job}, started under {@code s}, calls EE2 at the run's
     * URL with the job owner's token, saying which run it belongs to ({@link RunSettings#RUN_HEADER}:
     * once a reset has started the next run, the simulator refuses it); the job's log keeps the call.
     */
    CompletableFuture<JsonNode> call(Job job, String who, RunSettings s, String method, JsonNode params) {
        String target = params.path("job_id").isTextual() ? params.path("job_id").textValue() : null;
        return log(job).track(who, method, target, client.call(s.ee2Url(), job.spec().token(),
                Map.of(RunSettings.RUN_HEADER, Long.toString(s.run())), method, params));
    }

    /** Notes a step of {@code job} that is no call (kept as its log's last word). */
    void note(Job job, String what) {
        log(job).note(what);
    }

    private CallLog log(Job job) {
        return calls.computeIfAbsent(job.id(), id -> new CallLog());
    }

    /**
     * What each of {@code jobIds} the simulator started has asked EE2: its unanswered calls, with
     * their age, then its last answered ones (jobs never started are left out).
     */
    public Map<String, List<String>> calls(Collection<String> jobIds) {
        long now = System.currentTimeMillis();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String id : jobIds) {
            CallLog log = calls.get(id);
            if (log != null) {
                out.put(id, log.describe(now));
            }
        }
        return out;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** A failing step must not kill the shared timer thread's later tasks. */
    static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("simulated job step failed", e);
            }
        };
    }
}
