package us.kbase.ee2proxy.sim.workload;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
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
    /** The run's own calls, so those still held (by a proxy) can be abandoned when it ends. */
    private final Set<CompletableFuture<?>> calls = ConcurrentHashMap.newKeySet();

    <T> CompletableFuture<T> track(CompletableFuture<T> call) {
        calls.add(call);
        call.whenComplete((r, e) -> calls.remove(call));
        return call;
    }

    /** Drops every call of this run still waiting, so none creates a job after the run. */
    void abandonCalls() {
        calls.forEach(c -> c.cancel(true));
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
