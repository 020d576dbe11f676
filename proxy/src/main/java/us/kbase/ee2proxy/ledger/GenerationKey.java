package us.kbase.ee2proxy.ledger;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;

/**
 * The generation key ({@code <prefix>:generation}): which data set Redis holds, {@code
 * ready:<id>} or {@code rebuilding:<id>} (see {@link Outage}, rule 3). One key in one
 * slot: on one node the acquire script also reads it, on a Cluster it is read with the acquire.
 */
final class GenerationKey {
    static final LedgerScript GENERATION =
            LedgerScript.ownerScript("generation", RScript.Mode.READ_WRITE, RScript.ReturnType.VALUE);

    private final RScript script;
    private final List<Object> key;
    private final TimedCalls calls;

    GenerationKey(RScript script, String key, TimedCalls calls) {
        this.script = script;
        this.key = List.of(key);
        this.calls = calls;
    }

    /** The value; when there is none, writes {@code createAs} first unless it is null (then answers null). */
    CompletionStage<String> read(String createAs) {
        Object[] args = createAs == null ? new Object[] {"get"} : new Object[] {"get", createAs};
        return calls.timed("generation", () -> GENERATION.<String>run(script, key, args));
    }

    /** A ready generation becomes {@code rebuilding}; one already rebuilding stays. Answers the value after. */
    CompletionStage<String> lost(String rebuilding) {
        return calls.timed("generation", () -> GENERATION.<String>run(script, key, "lost", rebuilding));
    }

    /** {@code rebuilding:<id>} becomes {@code ready:<id>}; answers the value after. */
    CompletionStage<String> ready(String id) {
        return calls.timed("generation", () -> GENERATION.<String>run(script, key, "ready", id));
    }
}
