package us.kbase.ee2proxy.sim.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What one simulated job (its runner and, for a parallel app, its KBParallel loop) has asked EE2:
 * the calls still unanswered, and for each kind of call (who and method) how many were answered
 * and how the last one went, with when. A run that stalls names them for its unfinished jobs
 * ({@code ee2sim.job_calls}), so a job left {@code running} with nothing moving says which call it
 * waits on, or that it waits on none and what it did last.
 */
final class CallLog {
    private record Entry(String who, String method, String target, long sentAt) {
        String kind() {
            return who + " " + method;
        }

        String call() {
            return kind() + (target == null ? "" : "(" + target + ")");
        }
    }

    /** The last answered call of a kind, and how many of that kind were answered. */
    private record Last(Entry call, String outcome, long answeredAt, int answered) {}

    private final Map<Long, Entry> pending = new LinkedHashMap<>();
    /** By kind, the most recently answered kind last. */
    private final LinkedHashMap<String, Last> last = new LinkedHashMap<>();
    private long next;
    private String note;
    private long notedAt;

    /** Records {@code call} (sent now by {@code who}, for job {@code target}, may be null) until it ends. */
    <T> CompletableFuture<T> track(String who, String method, String target, CompletableFuture<T> call) {
        Entry e = new Entry(who, shortName(method), target, System.currentTimeMillis());
        long id;
        synchronized (this) {
            id = next++;
            pending.put(id, e);
        }
        call.whenComplete((r, err) -> ended(id, e, outcome(r, err)));
        return call;
    }

    /** A step of the job that is no call (its loop's turn ended, it stopped): kept as its last word. */
    synchronized void note(String what) {
        note = what;
        notedAt = System.currentTimeMillis();
    }

    private synchronized void ended(long id, Entry e, String outcome) {
        pending.remove(id);
        Last before = last.remove(e.kind());
        last.put(e.kind(), new Last(e, outcome, System.currentTimeMillis(), before == null ? 1 : before.answered() + 1));
    }

    /**
     * One line per unanswered call with its age at {@code now} (or "no call unanswered"), then per
     * kind of call the last answered one, most recent first, then the last step noted.
     */
    synchronized List<String> describe(long now) {
        List<String> out = new ArrayList<>();
        if (pending.isEmpty()) {
            out.add("no call unanswered");
        }
        for (Entry e : pending.values()) {
            out.add(String.format(Locale.ROOT, "UNANSWERED %s for %.1f s", e.call(), seconds(now - e.sentAt())));
        }
        List<Last> answered = new ArrayList<>(last.values());
        for (int i = answered.size() - 1; i >= 0; i--) {
            Last l = answered.get(i);
            out.add(String.format(Locale.ROOT, "answered %s -> %s (%.1f s ago, after %.1f s; %d answered)",
                    l.call().call(), l.outcome(), seconds(now - l.answeredAt()),
                    seconds(l.answeredAt() - l.call().sentAt()), l.answered()));
        }
        if (note != null) {
            out.add(String.format(Locale.ROOT, "%s (%.1f s ago)", note, seconds(now - notedAt)));
        }
        return out;
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static String outcome(Object result, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause == null) {
            String r = String.valueOf(result);
            return r.length() > 60 ? r.substring(0, 60) + "..." : r;
        }
        if (cause instanceof CancellationException) {
            return "cancelled";
        }
        String m = cause.getMessage() == null ? cause.toString()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return m.length() > 120 ? m.substring(0, 120) + "..." : m;
    }

    private static String shortName(String method) {
        return method.startsWith("execution_engine2.") ? method.substring("execution_engine2.".length()) : method;
    }
}
