package us.kbase.ee2proxy.frontend;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import us.kbase.ee2proxy.config.Limits;

/**
 * The request-body bytes the proxy holds at once, bounded in total ({@code limits.maxBufferedBodyBytes})
 * and per client IP address ({@code limits.maxBufferedBodyBytesPerAddress}). Bodies are read whole
 * before they are forwarded; without a bound, clients that start large bodies and never finish them
 * pin memory until the JVM fails (32 unfinished 31 MiB bodies took 1.2 GB), and a legitimate large
 * call then gets a reset instead of an answer.
 *
 * <p>A body's bytes are reserved before they are read: its whole {@code Content-Length} when its head
 * arrives, a chunked body chunk by chunk. They stay reserved while the request waits behind a
 * pipelined call, goes to EE2 and is answered, and are given back when the relay lets go of the
 * request; what was reserved for a body that never arrived whole is given back when its connection
 * closes. Each connection has an {@link Account}, touched only on its event loop; the counts behind
 * it are shared by every event loop and kept without locks.
 */
final class BodyBudget {
    /** What a reservation found. */
    enum Reservation {
        TAKEN,
        TOTAL_FULL,
        ADDRESS_FULL
    }

    private final long maxTotal;
    private final long maxPerAddress;
    private final AtomicLong total = new AtomicLong();
    private final ConcurrentHashMap<String, Address> addresses = new ConcurrentHashMap<>();

    BodyBudget(Limits limits) {
        this.maxTotal = limits.maxBufferedBodyBytes();
        this.maxPerAddress = limits.maxBufferedBodyBytesPerAddress();
    }

    /** The account of a new connection from {@code address} (its IP as text). */
    Account open(String address) {
        // The entry lives while any connection from the address has an account, so every byte
        // reserved for the address is counted on the one entry the map holds.
        Address entry = addresses.compute(address, (k, existing) -> {
            Address a = existing == null ? new Address() : existing;
            a.accounts++;
            return a;
        });
        return new Account(address, entry);
    }

    /** Body bytes held now, over all clients. */
    long buffered() {
        return total.get();
    }

    /** Addresses with an open account (tests check that none is left behind). */
    int addresses() {
        return addresses.size();
    }

    private static final class Address {
        /** Accounts that use this entry; changed only inside the map's compute. */
        int accounts;
        final AtomicLong bytes = new AtomicLong();
    }

    /** One connection's share. Used on the connection's event loop only. */
    final class Account {
        private final String key;
        private final Address address;
        /** Reserved for a body still arriving (or that never will: given back at close). */
        private long receiving;
        /** Reserved for whole requests the relay holds (queued, at EE2, being answered). */
        private long held;
        private boolean closed;
        private boolean left;

        private Account(String key, Address address) {
            this.key = key;
            this.address = address;
        }

        /** Reserves {@code n} more body bytes of the request arriving, unless a budget would go over. */
        Reservation reserve(long n) {
            if (n <= 0) {
                return Reservation.TAKEN;
            }
            if (!add(address.bytes, n, maxPerAddress)) {
                return Reservation.ADDRESS_FULL;
            }
            if (!add(total, n, maxTotal)) {
                address.bytes.addAndGet(-n);
                return Reservation.TOTAL_FULL;
            }
            receiving += n;
            return Reservation.TAKEN;
        }

        /**
         * The relay took {@code request} whole: its body's reservation now goes with it. The relay
         * never consumes a request's content (it forwards the original bytes), so its readable bytes
         * are what was reserved for it, here and when it is {@link #released}.
         */
        void received(FullHttpRequest request) {
            long n = request.content().readableBytes();
            receiving -= n;
            held += n;
        }

        /** The relay let go of a request it had {@link #received}. */
        void released(FullHttpRequest request) {
            long n = request.content().readableBytes();
            held -= n;
            giveBack(n);
            leaveWhenDone();
        }

        /**
         * The connection closed: what was reserved for a body that never arrived whole is given back.
         * Requests the relay still holds (a call on its way to EE2) give theirs back when released.
         */
        void close() {
            closed = true;
            giveBack(receiving);
            receiving = 0;
            leaveWhenDone();
        }

        private void giveBack(long n) {
            if (n != 0) {
                address.bytes.addAndGet(-n);
                total.addAndGet(-n);
            }
        }

        private void leaveWhenDone() {
            if (closed && held == 0 && !left) {
                left = true;
                addresses.compute(key, (k, a) -> --a.accounts == 0 ? null : a);
            }
        }
    }

    private static boolean add(AtomicLong counter, long n, long max) {
        long now;
        do {
            now = counter.get();
            if (now + n > max) {
                return false;
            }
        } while (!counter.compareAndSet(now, now + n));
        return true;
    }
}
