package us.kbase.ee2proxy.policy.decide;

import static us.kbase.ee2proxy.policy.DurationText.compact;
import static us.kbase.ee2proxy.policy.DurationText.elapsedWords;
import static us.kbase.ee2proxy.policy.DurationText.words;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import us.kbase.ee2proxy.policy.classify.JobClass.Why;

/**
 * Why a decision was taken, in two texts: {@link #userMessage()} for the scientist (what limit,
 * what count, what happens next or what to do) and {@link #adminMessage()} for logs and
 * {@code explain} (the rule and its numbers). {@link #rule()} is a short stable name for metrics.
 */
public sealed interface Reason {

    String rule();

    String userMessage();

    String adminMessage();

    /** Whose ledger and which limits: "user alice (override smith-lab)". */
    record Who(String user, String limitsSource) {
        @Override
        public String toString() {
            return "user " + user + " (" + limitsSource + ")";
        }
    }

    /** Admitted within the limits; {@code numbers} shows the inequalities that held. */
    record WithinLimits(Who who, String job, String numbers) implements Reason {
        public String rule() {
            return "within-limits";
        }

        public String userMessage() {
            return "Your " + job + " was submitted.";
        }

        public String adminMessage() {
            return "admit " + job + ": " + numbers + "; " + who;
        }
    }

    /** Takes no slot. */
    record Exempted(Who who, Why why) implements Reason {
        public String rule() {
            return "exempt";
        }

        public String userMessage() {
            return "Your job was submitted.";
        }

        public String adminMessage() {
            String because = switch (why) {
                case EXEMPT_USER -> "the user is listed in exempt.users";
                case CONCIERGE -> "run_job_concierge ignores concurrency limits";
                case ADMIN_IGNORES_LIMITS -> "as_admin with job_requirements.ignore_concurrency_limits";
            };
            return "admit exempt job, no slot taken: " + because + "; " + who;
        }
    }

    /** A child (or a batch of children) admitted after waiting its longest (aging). */
    record Aged(Who who, String job, Duration waited, int jobs, int jobLimit, Duration maxWait) implements Reason {
        public String rule() {
            return "children.maxWait";
        }

        public String userMessage() {
            return "Your " + job + " was submitted after waiting " + elapsedWords(waited)
                    + ", the longest a job started by another job waits.";
        }

        public String adminMessage() {
            return "admit " + job + " after aging: waited " + compact(waited) + " >= children.maxWait "
                    + compact(maxWait) + " although A(u)=" + jobs + " >= slots - children.reserve + children.maxQueued = " + jobLimit
                    + "; " + who;
        }
    }

    /**
     * The shared ledger cannot decide now (Redis unreachable, this replica still writing back what
     * Redis missed, or Redis's counts being rebuilt from EE2): with {@code redis.onFailure: wait} the
     * call waits for it, at most {@code maxWait} in all.
     */
    record LedgerUnavailable(Who who, String job, Duration maxWait) implements Reason {
        public String rule() {
            return "redis.onFailure";
        }

        public String userMessage() {
            return "Your " + job + " waits at ee2-admission-proxy because its job slot ledger cannot decide right now;"
                    + " it is submitted as soon as the ledger answers, and waits at most " + words(maxWait) + ".";
        }

        public String adminMessage() {
            return "hold " + job + ": the shared ledger cannot decide (redis.onFailure: wait), at most " + compact(maxWait)
                    + " in all; " + who;
        }
    }

    /** How a parent-cap decision ends. */
    enum Outcome {
        HOLD,
        REFUSED_AT_ONCE,
        REFUSED_AFTER_WAIT,
        /** Sent by a running parallel app: it waits for the cap, however long; never refused. */
        WAIT_FOR_CAP
    }

    /**
     * The user is at the parallel-app cap C_d. {@code incoming} is how many parallel apps the call
     * brings (1, or a batch's k); {@code job} names it ("kb_Bwa job", "batch").
     */
    record ParentsFull(Who who, String job, int incoming, int depth, int parents, int cap,
            Map<String, Integer> parentsByApp, Outcome outcome, Duration time) implements Reason {
        public ParentsFull {
            parentsByApp = Map.copyOf(parentsByApp);
        }

        public String rule() {
            return depth == 0 ? "parents.maxPerUser" : "parents.maxPerUser+depth";
        }

        public String userMessage() {
            String limit = depth == 0 ? "your limit is " + cap
                    : "your limit for a parallel app started by another one (nesting level " + depth + ") is " + cap;
            String have = incoming == 1
                    ? "You have " + parents + " parallel app" + plural(parents) + " running" + apps(parentsByApp) + "; "
                            + limit + "."
                    : "This " + job + " has " + incoming + " parallel apps and you have " + parents + " running"
                            + apps(parentsByApp) + "; " + limit + ".";
            String it = incoming == 1 ? "This one" : "The " + job;
            return switch (outcome) {
                case HOLD -> have + " " + it + " starts when " + (incoming == 1 ? "one of them finishes" : "enough of them finish")
                        + ", and waits at most " + words(time) + ".";
                case REFUSED_AT_ONCE -> have + " " + it + " was not started. Start it again when "
                        + (incoming == 1 ? "one of them has" : "enough of them have") + " finished.";
                case REFUSED_AFTER_WAIT -> have + " " + it + " waited " + elapsedWords(time) + " for "
                        + (incoming == 1 ? "one of them" : "them") + " to finish and was not started. Start it again when "
                        + (incoming == 1 ? "one of them has" : "enough of them have") + " finished.";
                case WAIT_FOR_CAP -> have + " This one was started by one of your running parallel apps, so it is"
                        + " never refused: it is waiting at the proxy and starts when one of them finishes.";
            };
        }

        public String adminMessage() {
            String numbers = "P(u)=" + parents + (incoming == 1 ? "" : " + k=" + incoming) + " > C_" + depth + "=" + cap
                    + " (parents.maxPerUser " + (cap - depth) + " + depth " + depth + ")";
            return switch (outcome) {
                case HOLD -> "hold " + job + ": " + numbers + "; held up to " + compact(time) + ", then refused; " + who;
                case REFUSED_AT_ONCE -> "refuse " + job + ": " + numbers + "; parents.whenFull is refuse; " + who;
                case REFUSED_AFTER_WAIT -> "refuse " + job + " after holding " + compact(time) + ": " + numbers + "; " + who;
                case WAIT_FOR_CAP -> "hold " + job + ": " + numbers + "; sent by a running parallel app, never refused"
                        + " nor admitted over the cap: decided again at each release, at least every " + compact(time)
                        + "; " + who;
            };
        }
    }

    /** A parallel app deeper than {@code parents.maxNestingDepth}. */
    record TooDeep(Who who, String app, int depth, int maxDepth) implements Reason {
        public String rule() {
            return "parents.maxNestingDepth";
        }

        public String userMessage() {
            return "This " + app + " job was started by another parallel app and would be nested " + depth
                    + " level" + plural(depth) + " deep; your limit is " + maxDepth + ", so it was not started. Run "
                    + app + " on its own instead of from inside another parallel app, or ask KBase support to raise the"
                    + " limit.";
        }

        public String adminMessage() {
            return "refuse parallel app " + app + ": depth " + depth + " > parents.maxNestingDepth " + maxDepth + "; " + who;
        }
    }

    /** A batch (or retry_jobs) with more parallel apps than C_0 can never fit: split it. */
    record BatchTooBig(Who who, int parentsInBatch, int cap, Map<String, Integer> parentsByApp, boolean retry)
            implements Reason {
        public BatchTooBig {
            parentsByApp = Map.copyOf(parentsByApp);
        }

        public String rule() {
            return "batch.parents";
        }

        public String userMessage() {
            String apps = parentsInBatch + " parallel apps" + apps(parentsByApp);
            return retry
                    ? "You asked to retry " + apps + " at once; at most " + cap + " can run at once, so nothing was"
                            + " retried. Retry at most " + cap + " of them at a time."
                    : "This batch has " + apps + "; at most " + cap + " can run at once, so the batch was not"
                            + " started. Split it into batches of at most " + cap + " parallel apps each.";
        }

        public String adminMessage() {
            return "refuse " + (retry ? "retry_jobs" : "batch") + ": k=" + parentsInBatch + " parallel apps > C_0=" + cap
                    + " (parents.maxPerUser); it could never be admitted; " + who;
        }
    }

    /** Children are held while A(u) >= S + children.maxQueued. */
    record QueueFull(Who who, String job, int jobs, int jobLimit, Duration time, ReserveState reserve)
            implements Reason {
        /** A hold under a reserve that is never lent ({@code children.reserveFor: always}). */
        public QueueFull(Who who, String job, int jobs, int jobLimit, Duration time) {
            this(who, job, jobs, jobLimit, time, ReserveState.ALWAYS_KEPT);
        }

        public String rule() {
            return reserve == ReserveState.ALWAYS_KEPT ? "children.maxQueued" : "children.reserveFor";
        }

        public String userMessage() {
            String why = switch (reserve) {
                case ALWAYS_KEPT -> "so that your own new jobs start first.";
                case KEPT -> "so that your own new jobs start first (you submitted one recently, so a job slot is"
                        + " kept free for the next).";
                case LENT -> "so that your own new jobs start first (you submitted none recently, so even the job"
                        + " slot kept for them is open to these jobs).";
            };
            return "You have " + jobs + " jobs queued or running; jobs started by other jobs (parallel apps and batches)"
                    + " wait while you have " + jobLimit + " or more, " + why + " This "
                    + job + " starts when some of them finish, and waits at most " + words(time) + ".";
        }

        public String adminMessage() {
            String limit = switch (reserve) {
                case ALWAYS_KEPT -> "slots - children.reserve + children.maxQueued";
                case KEPT -> "slots - children.reserve + children.maxQueued (reserve kept: an own call within"
                        + " children.reserveFor)";
                case LENT -> "slots + children.maxQueued (reserve lent: no own call within children.reserveFor)";
            };
            return "hold " + job + ": A(u)=" + jobs + " >= " + limit + " = " + jobLimit + "; held up to "
                    + compact(time) + ", then admitted (aging); " + who;
        }
    }

    /** Whether a child's job limit kept the user's reserve free ({@code children.reserveFor}). */
    enum ReserveState {
        /** {@code reserveFor: always} (or nothing to lend): the reserve is always kept. */
        ALWAYS_KEPT,
        /** The user sent one of their own calls within {@code reserveFor}: the reserve is kept. */
        KEPT,
        /** No own call within {@code reserveFor}: the reserved slots are lent to children. */
        LENT
    }

    /**
     * A user's own call (plain job, parallel app, batch without children) waits at the proxy for a
     * slot: EE2 would only queue it behind the user's other jobs, first come, first served.
     */
    record WaitingForSlot(Who who, String job, int jobs, int jobLimit, Duration time) implements Reason {
        public String rule() {
            return "ownJobs.maxQueued";
        }

        public String userMessage() {
            return "Your " + job + " is waiting at the proxy for one of your job slots: you have " + jobs
                    + " jobs queued or running, and EE2 would only queue it behind them. It goes to EE2 as soon as"
                    + " one of them finishes, before jobs started by other jobs and before more jobs of an app that"
                    + " already has more waiting, and after at most " + words(time) + " it is sent anyway.";
        }

        public String adminMessage() {
            return "hold " + job + ": A(u)=" + jobs + " >= slots + ownJobs.maxQueued = " + jobLimit + "; held up to "
                    + compact(time) + ", then admitted (aging); " + who;
        }
    }

    /** A user's own call forwarded after waiting ownJobs.maxWait for a slot (aging). */
    record ForwardedAfterWait(Who who, String job, Duration waited, int jobs, int jobLimit, Duration maxWait)
            implements Reason {
        public String rule() {
            return "ownJobs.maxWait";
        }

        public String userMessage() {
            return "Your " + job + " was submitted after waiting " + elapsedWords(waited)
                    + " for a free job slot, the longest it waits; it may queue at EE2 behind your other jobs.";
        }

        public String adminMessage() {
            return "admit " + job + " after aging: waited " + compact(waited) + " >= ownJobs.maxWait "
                    + compact(maxWait) + " although A(u)=" + jobs + " >= slots + ownJobs.maxQueued = " + jobLimit
                    + "; " + who;
        }
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }

    /** " (kb_Bowtie2 x3, kb_concoct x2)": most first, then by name; empty when unknown. */
    private static String apps(Map<String, Integer> byApp) {
        if (byApp.isEmpty()) {
            return "";
        }
        return byApp.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
    }
}
