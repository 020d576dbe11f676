package us.kbase.ee2proxy.admission;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.policy.classify.Classification;

/**
 * One job-creating call on its way through admission, once its caller is known and it is
 * classified.
 *
 * @param call the sniffed call
 * @param tokenUser the token's owner
 * @param classification its class and the ledger user whose slots it takes
 * @param classifyAgain null when the classification is final; else it was provisional (a parent
 *     lookup failed) and this classifies the call again
 * @param ticket the proxy's id for this call's leases (unique per replica and call)
 * @param arrivedNanos {@link System#nanoTime()} when it arrived, for the total time held
 */
record Submission(SniffResult.Call call, String tokenUser, Classification classification,
        Supplier<CompletionStage<CallClassifier.Classified>> classifyAgain, String ticket, long arrivedNanos) {

    boolean provisional() {
        return classifyAgain != null;
    }

    /** The same call (ticket, arrival) classified again. */
    Submission reclassified(CallClassifier.Classified c) {
        return new Submission(call, tokenUser, c.classification(), c.provisional() ? classifyAgain : null, ticket,
                arrivedNanos);
    }

    /**
     * The same call classified beyond its child bound; final (a reclassification would only find
     * the parent, and the bound, again).
     */
    Submission beyondBound() {
        return new Submission(call, tokenUser, classification.beyondBound(), null, ticket, arrivedNanos);
    }

    String ledgerUser() {
        return classification.ledgerUser();
    }

    /** How long the call has waited since it arrived. */
    Duration waited() {
        return Duration.ofNanos(System.nanoTime() - arrivedNanos);
    }
}
