package us.kbase.ee2proxy.ledger;

import static us.kbase.ee2proxy.ledger.ScriptValues.number;

import java.util.List;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * A decision of the Redis ledger and the generation key read with it (on one node in the same
 * script, on a Cluster in the same round trip): what the ledger decided on (see {@link
 * Outage}, rule 3) costs no second round trip.
 *
 * @param generation the generation key's value after the decision, null when the key is gone
 * @param generationRead whether it was read (always, now; false would make the caller read it)
 */
record SharedDecision(Admission admission, String generation, boolean generationRead) {
    /**
     * Parses acquire.lua's {@code {admitted, master_replid, master_replid2, connected replicas,
     * generation, counts...}} with the generation read ('' or null: the key is gone).
     */
    static SharedDecision of(List<Object> reply, String generation) {
        UserCounts counts = ScriptValues.counts(reply, 5);
        MasterId master = new MasterId((String) reply.get(1), (String) reply.get(2));
        Admission.Verdict verdict = switch (number(reply.get(0))) {
            case 1 -> Admission.Verdict.ADMITTED;
            case 2 -> Admission.Verdict.CHILDREN_BOUND;
            default -> Admission.Verdict.FULL;
        };
        return new SharedDecision(new Admission(verdict, counts, master),
                generation == null || generation.isEmpty() ? null : generation, true);
    }

    /** The replicas the deciding master said it had connected (what lease writes wait for). */
    static int connectedReplicas(List<Object> reply) {
        return number(reply.get(3));
    }
}
