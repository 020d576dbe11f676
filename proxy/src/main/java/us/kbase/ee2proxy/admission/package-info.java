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
 *
 * <h2>The policy gate</h2>
 * {@link us.kbase.ee2proxy.admission.PolicyGate} applies the admission policy to job-creating
 * calls (identity from auth2, parent and retry lookups, classification, the decision, one atomic
 * ledger take, holds in {@link us.kbase.ee2proxy.hold.HoldQueues}, refusals) and hands every other
 * call to {@link us.kbase.ee2proxy.tracking.JobTracker}. {@link us.kbase.ee2proxy.admission.AdmissionStack}
 * assembles it from the {@code admission:} configuration:
 * <pre>{@code
 * AdmissionStack admission = AdmissionStack.builder(config, registry).policy(policySupplier).build();
 * ProxyServer server = ProxyServer.builder(config).metricRegistry(registry).gate(admission.gate()).build().start();
 * ...
 * server.close();
 * admission.close();
 * }</pre>
 */
package us.kbase.ee2proxy.admission;
