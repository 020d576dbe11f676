package us.kbase.ee2proxy.status;

import java.time.Instant;

/**
 * A parallel app the proxy admitted and whose job EE2 named.
 *
 * @param startedBy the parallel app that started it (nested), or null at depth 0
 */
public record ParallelApp(String jobId, String app, int depth, String startedBy, Instant admitted) {}
