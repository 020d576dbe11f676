package us.kbase.ee2proxy.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apps not in {@code parents.apps} seen fanning out, as {@link LiveState} binds jobs: a child that
 * names one of the user's plain jobs as {@code parent_job_id}, or a KBParallel-shaped plain job of
 * the module of a plain job the narrative sent and that still runs. Such a job is then shown (and
 * counted by the stall detector) as a parallel app not listed; the first of each app is kept, with
 * the line to add. Thread-safe; bounded by {@link #MAX_APPS}.
 */
final class FanOuts {
    /** A deployment runs a few hundred apps. */
    static final int MAX_APPS = 1000;

    private final Map<String, Views.FanOut> byApp = new ConcurrentHashMap<>();

    /** A bound child of {@code parentJobId}: a plain job of the user's named as parent fans out. */
    void child(UserState u, String parentJobId, String jobId, Instant now) {
        if (!u.hasApp(parentJobId)) {
            seen(u, u.fannedOut(parentJobId, now), "a run_job named it as parent_job_id", now);
        }
        u.child(parentJobId, jobId);
    }

    /** A bound plain job: a worker of a running unlisted app when in KBParallel's shape, else a job that may fan out. */
    void plain(UserState u, String jobId, String app, boolean kbParallelShaped, Instant now) {
        if (!kbParallelShaped) {
            u.plain(jobId, app);
            return;
        }
        ParallelApp sender = u.senderOf(app, now);
        if (sender != null) {
            seen(u, sender, "KBParallel-shaped run_jobs of its module arrived while it ran", now);
            u.child(sender.jobId(), jobId);
        }
    }

    private void seen(UserState u, ParallelApp app, String how, Instant now) {
        if (app != null && !app.listed() && byApp.size() < MAX_APPS) {
            byApp.computeIfAbsent(app.app(), a -> new Views.FanOut(a, u.user, app.jobId(), now.toString(), how, "- " + a));
        }
    }

    /** Oldest first. */
    List<Views.FanOut> list() {
        List<Views.FanOut> out = new ArrayList<>(byApp.values());
        out.sort(Comparator.comparing(Views.FanOut::firstSeen));
        return out;
    }
}
