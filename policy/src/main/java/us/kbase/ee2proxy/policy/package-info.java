/**
 * The admission policy: what an admin writes in {@code policy.yaml}, and the pure rules the proxy
 * applies to every job-creating EE2 call. No network, no clocks, no mutable state: every type is
 * immutable and every function returns the same answer for the same arguments.
 *
 * <h2>The API the proxy calls</h2>
 * <pre>{@code
 * // once, and again on reload (an invalid file keeps the old policy: show e.problems())
 * AdmissionPolicy policy = PolicyLoader.load(path);            // throws PolicyException
 * AdmissionPolicy policy = PolicyLoader.parse(yaml, "name");   // same, from text
 * AdmissionPolicy policy = AdmissionPolicy.defaults();         // KBase today
 *
 * // per job-creating call (JobCreation from the JSON-RPC sniffer, user from the token)
 * List<String> retried = Classifier.retriedJobIds(call);        // look these up first (EE2 check_job / memory)
 * RetryLookup retries = RetryLookup.of(Map<jobId, RunJobParams>);
 * Set<String> parentIds = Classifier.parentJobIds(call, retries); // then these, in the ledger
 * ParentLookup parents = ParentLookup.of(ledgerUser, Map<jobId, SlotClaim>);
 * Classification c = Classifier.classify(policy, call, tokenUser, parents, retries);
 *     // c.jobClass(): Plain | Parent(depth) | Child(parentJobId) | Batch(k, m) | Exempt
 *     // c.ledgerUser(): token user or bill_to_user;  c.claims(), c.jobIndexes()
 *
 * EffectivePolicy p = policy.forUser(c.ledgerUser());
 * Decision d = Admission.decide(p, ledgerCounts, c, waitedSoFar);
 *     // Admit(demand, reason, shadowOf) -> ledger.tryAcquire(demand) atomically, then forward
 *     // Hold(demand, reason, atMost, then) -> keep; retry demand on each release; decide again at atMost
 *     // Refuse(reason, retryAfter)  -> EE2-shaped error with reason.userMessage()
 * SlotDemand s = Admission.demand(p, c, waited);  // the same limits without counts
 * List<T> retry = HoldOrder.of(heldInArrivalOrder, T::classification); // after each release
 * }</pre>
 * The ledger only needs {@link us.kbase.ee2proxy.policy.SlotDemand}: the pure decision admits
 * exactly when {@code demand.fits(counts)}, so the atomic check and the decision never disagree.
 *
 * <h2>Subpackages</h2>
 * {@code load}: YAML loading and validation; {@code classify}: call to class;
 * {@code decide}: class and counts to decision and texts; {@code request}: the sniffed call.
 */
package us.kbase.ee2proxy.policy;
