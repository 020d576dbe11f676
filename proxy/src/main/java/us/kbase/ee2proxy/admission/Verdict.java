package us.kbase.ee2proxy.admission;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.jsonrpc.Ee2ErrorReply;

/** What the proxy does with a call: forward it to EE2, or answer it itself. */
public sealed interface Verdict {

    /** Forward the original bytes, observing nothing: the pass-through verdict. */
    Verdict FORWARD = new Forward(null);

    /** {@link #FORWARD}, already decided: what a gate returns for calls it does not care about. */
    CompletionStage<Verdict> FORWARD_NOW = Settled.of(FORWARD);

    /** Forward and tell {@code observer} how EE2 answered. */
    static Verdict forward(ReplyObserver observer) {
        return new Forward(Objects.requireNonNull(observer, "observer"));
    }

    /** Answer with {@code reply} (a refusal, with e.g. {@code Retry-After}); nothing reaches EE2. */
    static Verdict answer(Ee2ErrorReply reply) {
        return new Answer(reply);
    }

    /** @param observer told of EE2's reply or failure; null observes nothing */
    record Forward(ReplyObserver observer) implements Verdict {}

    /** @param reply the EE2-shaped error the client gets; the proxy echoes the call's id and envelope into it */
    record Answer(Ee2ErrorReply reply) implements Verdict {
        public Answer {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** A stage completed at construction that nobody can complete differently or cancel later. */
    final class Settled<T> extends CompletableFuture<T> {
        private Settled() {}

        static <T> Settled<T> of(T value) {
            Settled<T> s = new Settled<>();
            s.complete(value);
            return s;
        }

        @Override
        public void obtrudeValue(T value) {
            throw new UnsupportedOperationException("a settled verdict cannot change");
        }

        @Override
        public void obtrudeException(Throwable ex) {
            throw new UnsupportedOperationException("a settled verdict cannot change");
        }
    }
}
