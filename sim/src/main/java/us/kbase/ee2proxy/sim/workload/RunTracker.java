package us.kbase.ee2proxy.sim.workload;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Rejection;

/**
 * The client side of one run: which job ids the workload's own submissions got, their classes,
 * when they were sent, and how many calls are still out. Written from HTTP callback threads.
 */
final class RunTracker {
    /** Class of each top-level job id and batch id the workload created. */
    final Map<String, String> classOf = new ConcurrentHashMap<>();
    /** Epoch millis the client sent the call that created each top-level job. */
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    /** Retries still allowed per top-level job id (the latest attempt's id). */
    final Map<String, Integer> retriesLeft = new ConcurrentHashMap<>();
    /** Ids already retried (so a failed job is retried once). */
    final Map<String, Boolean> retried = new ConcurrentHashMap<>();
    final Queue<Rejection> rejections = new ConcurrentLinkedQueue<>();
    /** Calls not yet sent plus calls without an answer: while above zero the run is not done. */
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicLong lastEvent = new AtomicLong(System.currentTimeMillis());
    /**
     * The run's own calls still unanswered, each with what it is and when it was sent, so those
     * still held (by a proxy) can be abandoned when it ends and a stalled run can name them.
     */
    private final Map<CompletableFuture<?>, String> calls = new ConcurrentHashMap<>();

    /** {@code call} is {@code what} ("run_job kb_Parallel0.run_parallel for s84-user0"), sent now. */
    <T> CompletableFuture<T> track(String what, CompletableFuture<T> call) {
        calls.put(call, "sent " + System.currentTimeMillis() + ": " + what);
        call.whenComplete((r, e) -> calls.remove(call));
        return call;
    }

    /** The run's own calls still unanswered, oldest first. */
    List<String> unanswered() {
        return calls.values().stream().sorted().toList();
    }

    /** Drops every call of this run still waiting, so none creates a job after the run. */
    void abandonCalls() {
        calls.keySet().forEach(c -> c.cancel(true));
    }

    void event() {
        lastEvent.set(System.currentTimeMillis());
    }

    void created(String jobId, String jobClass, long sent, int retries) {
        classOf.put(jobId, jobClass);
        sentAt.put(jobId, sent);
        if (retries > 0) {
            retriesLeft.put(jobId, retries);
        }
    }

    void batchCreated(String batchId, List<String> children, String jobClass, long sent) {
        classOf.put(batchId, jobClass);
        for (String c : children) {
            classOf.put(c, jobClass);
            sentAt.put(c, sent);
        }
    }
}
