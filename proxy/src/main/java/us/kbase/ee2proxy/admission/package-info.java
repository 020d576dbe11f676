/**
 * The admission hook: where the proxy asks whether, and when, a sniffed JSON-RPC call reaches EE2.
 *
 * <p>{@link us.kbase.ee2proxy.admission.AdmissionGate#decide} gets every sniffed call (with its
 * {@link us.kbase.ee2proxy.admission.Caller}: the Authorization header and the client address) on
 * the connection's event loop and returns a stage of a {@link us.kbase.ee2proxy.admission.Verdict}:
 * <ul>
 *   <li>{@link us.kbase.ee2proxy.admission.Verdict#FORWARD_NOW} for everything it does not care
 *       about: the fast path, nothing allocated, the original bytes forwarded;</li>
 *   <li>{@code Verdict.forward(observer)}: forwarded, and the
 *       {@link us.kbase.ee2proxy.admission.ReplyObserver} gets exactly one callback (EE2's reply,
 *       the upstream failure, or "not forwarded" when the client left first);</li>
 *   <li>{@code Verdict.answer(Ee2ErrorReply)}: a refusal the client gets as EE2's own error shape,
 *       with the call's id and any extra headers such as {@code Retry-After};</li>
 *   <li>a stage not yet complete: the request is held (the connection stays open, its idle
 *       timeout does not apply); if the client disconnects the stage is cancelled and the request is
 *       never forwarded.</li>
 * </ul>
 * Install a gate with {@code ProxyServer.builder(config).gate(gate)}; the default is
 * {@link us.kbase.ee2proxy.admission.PassThroughGate}.
 */
package us.kbase.ee2proxy.admission;
