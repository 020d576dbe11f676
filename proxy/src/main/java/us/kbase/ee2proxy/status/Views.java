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
     * @param childJobLimit the children's job limit now: with the reserve lent (below) it counts the
     *     reserved slots too
     * @param ownCallRecent under a {@code children.reserveFor}: whether the user sent an own job
     *     within it (true: the reserve is kept; false: it is lent to children); null under
     *     {@code always} or before the counts are read
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Slots(int slots, int parallelAppCap, int childJobLimit, Integer parallelApps, Integer jobs,
            String countsAsOf, String limitsSource, Boolean ownCallRecent) {}

    /**
     * A parent's children. Each is in one of five states: waiting at the proxy (no EE2 job yet),
     * queued (EE2 made it, not seen running), running, done, failed; see README "Where is my job?"
     * for what tells each.
     *
     * @param admitted unfinished at EE2: {@code queued + running}
     * @param finished ended since admitted: {@code done + failed + endedUnseen}
     * @param failedHow failed children by how: "error", "terminated" (EE2's state, e.g. an admin's
     *     or another route's cancel), "cancelled" (a cancel_job seen passing through the proxy)
     * @param endedUnseen ended (their slot freed) with no end seen by this replica: another
     *     replica saw it, or the lease expired
     * @param ids which ones: the unfinished (up to 20 per state) and the last 5 done and failed
     */
    public record Children(int waiting, int admitted, int finished, int queued, int running, int done, int failed,
            Map<String, Integer> failedHow, int endedUnseen, ChildIds ids) {}

    /** Some of a parent's children by state, for the pages to expand. */
    public record ChildIds(List<String> queued, List<String> running, List<String> done, List<FailedChild> failed) {}

    /** A failed child: its job id and how it failed ("error", "terminated", "cancelled"). */
    public record FailedChild(String jobId, String how) {}

    /**
     * @param listed its app is in {@code parents.apps} (false: seen fanning out though not listed)
     * @param cancelled null unless a cancel of the app passed through the proxy
     * @param ended when the proxy saw the app's own job end (ISO-8601); null while it runs. An
     *     ended app's children are as they were then
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record App(String jobId, String app, int depth, String startedBy, String admitted, Children children,
            boolean listed, Cancelled cancelled, String ended) {
        public App(String jobId, String app, int depth, String startedBy, String admitted, Children children) {
            this(jobId, app, depth, startedBy, admitted, children, true, null, null);
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
     * @param finishedApps the user's parallel apps seen to end lately, newest first (the last 20,
     *     for an hour after the user's last activity), each with its children's final states
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(String user, Slots slots, List<App> parallelApps, List<Waiting> waiting, int waitingCount,
            List<Decision> recent, List<Next> next, List<App> finishedApps) {}

    /**
     * What the user's next call of a class would get now (for operators; null in a scientist's view).
     *
     * @param call "plain job", "new parallel app (kb_Bowtie2)", "child of JOB (kb_Bowtie2)"
     * @param decision "admitted", "waits at the proxy up to 10m, then admit", "refused"
     * @param reason the rule and its numbers
     */
    public record Next(String call, String decision, String reason) {}

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

    /**
     * @param stalls users the stall detector finds stalled now (empty when none, or no detector runs)
     * @param fanOuts apps not in {@code parents.apps} seen fanning out, with the line to add
     */
    public record State(Global global, List<User> users, List<Stall> stalls, List<FanOut> fanOuts) {}

    /** One parallel app of a stalled user: its children waiting at the proxy and admitted unfinished. */
    public record StalledApp(String jobId, String app, boolean listed, int waitingChildren, int admittedChildren) {}

    /**
     * A user whose slots are all taken by parallel apps whose children cannot start (the live
     * counterpart of the simulator's deadlock detector).
     *
     * @param parallelApps P(u) plus the unlisted apps seen fanning out
     * @param since when the detector first saw the user so, with no child finishing since
     * @param missingFromParentsApps the stalled apps' modules that {@code parents.apps} does not list
     * @param text the operator's sentence, as logged
     */
    public record Stall(String user, int slots, int parallelApps, List<StalledApp> apps, String since,
            long stalledSeconds, List<String> missingFromParentsApps, String text) {}

    /**
     * An app not in {@code parents.apps} seen with children.
     *
     * @param jobId the job first seen fanning out
     * @param children children attributed to it when first seen
     * @param line what to add under {@code parents.apps}
     */
    public record FanOut(String app, String user, String jobId, String firstSeen, String how, String line) {}
}
