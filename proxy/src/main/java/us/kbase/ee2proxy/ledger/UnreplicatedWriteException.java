package us.kbase.ee2proxy.ledger;

/**
 * A ledger write the master made but fewer of its replicas than asked acknowledged in time: a
 * failover could lose it, so the ledger treats it as a failed call (the write may or may not
 * survive; the caller's journal makes it again, idempotently).
 */
public final class UnreplicatedWriteException extends RuntimeException {
    private final int acknowledged;

    public UnreplicatedWriteException(String message, int acknowledged) {
        super(message);
        this.acknowledged = acknowledged;
    }

    /** How many replicas did acknowledge it. */
    public int acknowledged() {
        return acknowledged;
    }
}
