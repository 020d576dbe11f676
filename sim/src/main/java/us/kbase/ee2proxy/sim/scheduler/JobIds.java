package us.kbase.ee2proxy.sim.scheduler;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** MongoDB ObjectId-shaped job ids (24 lower-case hex), as EE2 issues them. */
final class JobIds {
    private static final long PROCESS = new SecureRandom().nextLong() & 0xFFFFFFFFFFL;
    private static final AtomicInteger COUNTER = new AtomicInteger(new SecureRandom().nextInt());

    private JobIds() {}

    static String next(long nowMillis) {
        long seconds = (nowMillis / 1000) & 0xFFFFFFFFL;
        long tail = (PROCESS << 24) | (COUNTER.getAndIncrement() & 0xFFFFFFL);
        return String.format("%08x%016x", seconds, tail);
    }
}
