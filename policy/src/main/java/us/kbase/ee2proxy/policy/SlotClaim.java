package us.kbase.ee2proxy.policy;

/**
 * One job's claim on a user's slots, as the ledger stores it with the job's lease.
 *
 * @param parent the job is a parallel (KBParallel-style) parent and counts in P(u)
 * @param depth nesting depth of a parent (0 = top level); 0 for other jobs
 * @param app the app's label for messages ("kb_Bowtie2"), never null
 */
public record SlotClaim(boolean parent, int depth, String app) {
    public static SlotClaim job(String app) {
        return new SlotClaim(false, 0, app);
    }

    public static SlotClaim parentAt(int depth, String app) {
        return new SlotClaim(true, depth, app);
    }
}
