package us.kbase.ee2proxy.status;

import com.codahale.metrics.MetricRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every action on a waiting call (an operator's release, refusal or move, a scientist's cancel):
 * one line in the {@code audit} log (who, what, on which call of whose, why; the time is the log
 * line's) and a count in {@code ee2proxy.status.actions.ACTION}. Route the {@code audit} logger to
 * its own file in logback to keep it.
 */
public final class ActionLog {
    private static final Logger AUDIT = LoggerFactory.getLogger("audit");

    private final MetricRegistry registry;

    public ActionLog(MetricRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param who the KBase user who acted, or "loopback" for an unauthenticated operator on a loopback admin port
     * @param done whether the call was found waiting and the action took effect
     */
    public void acted(String who, String action, String user, String callId, String why, boolean done) {
        registry.counter("ee2proxy.status.actions." + action).inc();
        AUDIT.info("who={} action={} call={} owner={} done={} why=\"{}\"", who, action, callId, user, done,
                why == null ? "" : why.replace('"', '\''));
    }
}
