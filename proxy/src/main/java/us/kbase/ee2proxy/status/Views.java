package us.kbase.ee2proxy.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** What the pages and their JSON show: plain records, written by Jackson as they are. */
public final class Views {
    private Views() {}

    /**
     * A user's slots and caps (from the policy) and the counts the ledger last gave admission.
     *
     * @param parallelApps P(u), null until admission has read the user's counts
     * @param jobs A(u), likewise
     * @param countsAsOf when those counts were read (ISO-8601)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Slots(int slots, int parallelAppCap, int childJobLimit, Integer parallelApps, Integer jobs,
            String countsAsOf, String limitsSource) {}

    /** A parent's children: waiting at the proxy, admitted and unfinished, admitted and finished since. */
    public record Children(int waiting, int admitted, int finished) {}

    /**
     * @param cancelled null unless a cancel of the app passed through the proxy
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record App(String jobId, String app, int depth, String startedBy, String admitted, Children children,
            Cancelled cancelled) {
        public App(String jobId, String app, int depth, String startedBy, String admitted, Children children) {
            this(jobId, app, depth, startedBy, admitted, children, null);
        }
    }

    /**
     * What the proxy did to a cancelled parallel app's children.
     *
     * @param at when EE2 accepted the cancel (ISO-8601)
     * @param waitingAnswered children waiting at the proxy answered "not submitted"
     * @param cancelledAtEe2 children already at EE2 that the proxy cancelled there
     * @param text the same in words, saying whether children at EE2 were cancelled or left to run
     */
    public record Cancelled(String at, int waitingAnswered, int cancelledAtEe2, String text) {}

    /**
     * One waiting call.
     *
     * @param position 1 = the next of its user's waiting calls to be tried (HoldOrder)
     * @param of how many of its user's calls wait
     * @param adminReason null in a scientist's view
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Waiting(String id, String user, String kind, String app, String parentJobId, String reason,
            String adminReason, int position, int of, long waitedSeconds, long maxWaitSeconds, String atEnd,
            String since, int priority) {}

    public record Decision(String at, String id, String outcome, String kind, String app, String text) {}

    /**
     * @param waiting the user's waiting calls in queue order (the console lists the first 50)
     * @param waitingCount how many of the user's calls wait, listed or not
     */
    public record User(String user, Slots slots, List<App> parallelApps, List<Waiting> waiting, int waitingCount,
            List<Decision> recent) {}

    /**
     * Over all users.
     *
     * @param usersAtCap users whose last counts reach their parallel-app cap or their children's job limit
     * @param waitingByKind waiting calls by kind ("parallel app", "child job", ...)
     * @param oldestWaitSeconds the longest any call waits now (0 when none)
     * @param ledger the ledger's health in words
 * @param decisionsLastMinute admission decisions in the last 60 seconds
     */
    public record Global(String at, List<String> usersAtCap, int waiting, Map<String, Integer> waitingByKind,
            long oldestWaitSeconds, String ledger, long decisionsLastMinute) {}

    public record State(Global global, List<User> users) {}
}
