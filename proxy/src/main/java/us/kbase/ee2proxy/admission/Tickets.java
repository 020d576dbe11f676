package us.kbase.ee2proxy.admission;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ticket ids for job-creating calls: this replica's random prefix and a counter, so that tickets
 * of replicas sharing one Redis never collide and a restarted replica never reuses one.
 */
final class Tickets {
    private final String replica;
    private final AtomicLong next = new AtomicLong();

    Tickets() {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.replica = HexFormat.of().formatHex(random);
    }

    String next() {
        return replica + "-" + Long.toString(next.incrementAndGet(), 36);
    }
}
