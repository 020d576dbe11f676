/**
 * The live stall detector: the simulator's deadlock detector, for production (issue 12 item 5).
 *
 * <p>{@link us.kbase.ee2proxy.stall.StallDetector} looks at {@link us.kbase.ee2proxy.status.LiveState}
 * every {@code stall.every} and finds users whose slots are all taken by parallel apps whose
 * children cannot start: a metric, one WARN per episode naming the user, the parents and their
 * apps (and which apps {@code parents.apps} misses), and the {@code stalls} of
 * {@code /state.json} and the console. It also logs, once per app, an app not in
 * {@code parents.apps} that LiveState saw fanning out, with the line to add. It reads only what
 * admission already put in the live state: no work on any call.
 *
 * <p>Depends on status, config and policy; nothing depends on it but the assembly (admission).
 */
package us.kbase.ee2proxy.stall;
