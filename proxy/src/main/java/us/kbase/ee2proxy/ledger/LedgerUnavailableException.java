package us.kbase.ee2proxy.ledger;

/** The shared ledger did not answer in time (or at all): fall back per the policy. */
public final class LedgerUnavailableException extends RuntimeException {
    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
