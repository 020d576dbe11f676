/**
 * "Where is my job?": the live state model and the pages built on it.
 *
 * <p>{@link us.kbase.ee2proxy.status.LiveState} is the one place that knows, per user, the counts
 * the ledger last gave admission, the parallel apps admitted and their children, every call
 * waiting at the proxy and the recent decisions, and over all users who is at a cap. It is fed
 * by admission as it decides (the gate, the hold queues, the lease binding) and by the ledger's
 * release wake-ups, never by calls that create no job, and never recomputed when a page is
 * viewed: a view only reads and orders what is there. Job tracking and the reconciler tell it
 * what EE2 shows of each parallel app's unfinished children ({@link
 * us.kbase.ee2proxy.status.LiveState#progress}), through a listener admission wires (tracking
 * depends on this package, never the reverse), so each child is shown waiting, queued, running,
 * done or failed ({@link us.kbase.ee2proxy.status.AppChildren}).
 *
 * <p>{@link us.kbase.ee2proxy.status.StatusPages} serves the scientist's own view on the main port
 * ({@code GET /status}, {@code GET /status.json}, {@code DELETE /status/calls/ID}) and
 * {@link us.kbase.ee2proxy.status.OperatorPages} every user's on the admin port.
 *
 * <p>With Redis, {@link us.kbase.ee2proxy.status.ReplicaChannel} joins the replicas: an action on
 * a call another replica holds is relayed to it over pub/sub (the holder acts and audits), every
 * replica's waiting calls are listed in every replica's views, and cap overrides reach every
 * replica (and one started later). Each replica's model still holds only its own calls.
 *
 * <p>For operators each user's view also says what their next call of each class would get now
 * ({@link us.kbase.ee2proxy.status.NextCalls}), and the state carries the stall detector's latest
 * finding (package stall pushes it in; this package never reads stall) and the apps not in
 * {@code parents.apps} seen fanning out, which the model records as it binds jobs.
 *
 * <p>Depends on hold (the waiting calls), ledger (refreshing a user's counts after a release),
 * policy and Redisson's topic and map (given by the ledger's client); admission, frontend and admin depend on it, never the reverse.
 */
package us.kbase.ee2proxy.status;
