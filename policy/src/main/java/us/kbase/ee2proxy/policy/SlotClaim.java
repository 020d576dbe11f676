package us.kbase.ee2proxy.policy;

/**
 * One job's claim on a user's slots, as the ledger stores it with the job's lease.
 *
 * @param parent the job is a parallel (KBParallel-style) parent and counts in P(u)
 * @param depth nesting depth of a parent (0 = top level); 0 for other jobs
 * @param app the app's label for messages ("kb_Bowtie2"), never null
 * @param childOf the parent this job was admitted as a child of, so that the ledger can count a
 *     parent's unfinished children ({@link ChildBound}): the parent's job id when the job named it
 *     in {@code parent_job_id}, {@link ChildBound#ATTRIBUTED} when it was attributed to the user's
 *     running apps without naming one; null for every other job
 */
public record SlotClaim(boolean parent, int depth, String app, String childOf) {

    /** A claim that is no running parallel app's child. */
    public SlotClaim(boolean parent, int depth, String app) {
        this(parent, depth, app, null);
    }

    public static SlotClaim job(String app) {
        return new SlotClaim(false, 0, app);
    }

    public static SlotClaim parentAt(int depth, String app) {
        return new SlotClaim(true, depth, app);
    }

    /** A job admitted as a child of {@code parent} (a job id, or {@link ChildBound#ATTRIBUTED}). */
    public static SlotClaim childOf(String parent, String app) {
        return new SlotClaim(false, 0, app, java.util.Objects.requireNonNull(parent, "parent"));
    }
}
