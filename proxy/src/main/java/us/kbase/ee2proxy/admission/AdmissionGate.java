package us.kbase.ee2proxy.admission;

import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.jsonrpc.SniffResult;

/**
 * The hook admission plugs into: the proxy asks it about every JSON-RPC call it sniffs (parse
 * errors, non-calls and OPTIONS never get here) and does what the returned verdict says.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #decide} runs on the client connection's event loop: it must not block. Calls the
 *       gate does not care about (every pass-through method) return {@link Verdict#FORWARD_NOW}:
 *       the proxy sees a completed stage and forwards the original bytes at once, allocating
 *       nothing for the gate.
 *   <li>A stage that is not complete holds the request: the client connection stays open, its
 *       idle timeout does not apply, and nothing is forwarded until the stage completes. The
 *       stage may complete on any thread; the proxy continues on the connection's event loop.
 *   <li>If the client disconnects while the verdict is pending, the proxy cancels the stage
 *       ({@code toCompletableFuture().cancel(false)}; return a {@link java.util.concurrent.CompletableFuture}
 *       to see it) and the request is never forwarded. If a {@link Verdict.Forward} with an
 *       observer arrives after the client left, the observer's
 *       {@link ReplyObserver#onNotForwarded()} is called instead.
 *   <li>A stage that completes exceptionally (other than by that cancellation) is answered with an
 *       EE2-shaped error and not forwarded; gates should turn their own failures into verdicts.
 * </ul>
 */
@FunctionalInterface
public interface AdmissionGate {

    /**
     * @param call the sniffed call: method, envelope, and for job-creating methods the
     *     {@link us.kbase.ee2proxy.policy.request.JobCreation} admission reads
     * @param caller who sent it; valid until the returned stage completes
     */
    CompletionStage<Verdict> decide(SniffResult.Call call, Caller caller);

    /**
     * The proxy is draining (SIGTERM): from now on hold nothing. Every call held now, and every call
     * that would be held later, gets an {@link Verdict.Answer} saying it was not submitted and to
     * submit it again ({@link AdmissionReplies#stopping()}), instead of waiting up to the policy's
     * maxWait; calls admitted or passed through go on as before. A gate that never holds needs
     * nothing. May be called from any thread, more than once.
     */
    default void stopHolding() {}
}
