package us.kbase.ee2proxy.status;

import com.codahale.metrics.MetricRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every action on a waiting call (an operator's release, refusal or move, a scientist's cancel)
 * and every change of a user's limits:
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
     * An operator's change of one user's limits ({@code action} "limits" or "limits_end").
     *
     * @param what the change ("parents.maxPerUser=8 until=...")
     * @param done whether it took effect (an end finds no override in force: false)
     */
    public void limits(String who, String action, String user, String what, String why, boolean done) {
        registry.counter("ee2proxy.status.actions." + action).inc();
        // One line per action: an operator's text cannot start a forged line.
        AUDIT.info("who={} action={} user={} {} done={} why=\"{}\"", who, action, oneLine(user), what, done,
                why == null ? "" : oneLine(why).replace('"', '\''));
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

    /**
     * The same, on replicas sharing one Redis: written once, by the replica that holds the call.
     *
     * @param asked the replica that received the request (this one, or the one that passed it on)
     */
    public void acted(String who, String asked, String action, String user, String callId, String why, boolean done) {
        registry.counter("ee2proxy.status.actions." + action).inc();
        AUDIT.info("who={} asked_at={} action={} call={} owner={} done={} why=\"{}\"", who, asked, action, callId, user,
                done, why == null ? "" : oneLine(why).replace('"', '\''));
    }

    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
