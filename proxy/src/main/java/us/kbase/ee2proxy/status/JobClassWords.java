package us.kbase.ee2proxy.status;

import us.kbase.ee2proxy.policy.classify.JobClass;

/** A job-creating call's class in the words the pages, the waiting calls and the decision header use. */
public final class JobClassWords {
    private JobClassWords() {}

    /** In words: "parallel app", "child job", "batch", "job", "exempt job". */
    public static String kind(JobClass c) {
        if (c instanceof JobClass.Parent) {
            return "parallel app";
        }
        if (c instanceof JobClass.Child) {
            return "child job";
        }
        if (c instanceof JobClass.Batch b) {
            return b.retry() ? "retry" : "batch";
        }
        return c instanceof JobClass.Exempt ? "exempt job" : "job";
    }

    /** The class's short token for a response header: plain, parent, child, batch, exempt. */
    public static String token(JobClass c) {
        if (c instanceof JobClass.Parent) {
            return "parent";
        }
        if (c instanceof JobClass.Child) {
            return "child";
        }
        if (c instanceof JobClass.Batch) {
            return "batch";
        }
        return c instanceof JobClass.Exempt ? "exempt" : "plain";
    }

    /** The app a call names (a batch: its apps in short), or null. */
    public static String app(JobClass c) {
        if (c instanceof JobClass.Plain p) {
            return p.app();
        }
        if (c instanceof JobClass.Parent p) {
            return p.app();
        }
        if (c instanceof JobClass.Child ch) {
            return ch.app();
        }
        return c instanceof JobClass.Batch b ? b.describe() : null;
    }

    /** The parent job id a call names, if any. */
    public static String parentOf(JobClass c) {
        if (c instanceof JobClass.Child ch) {
            return ch.parentJobId();
        }
        return c instanceof JobClass.Parent p ? p.parentJobId() : null;
    }
}
