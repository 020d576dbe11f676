package us.kbase.ee2proxy.policy.classify;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a job-creating call is, for admission (DESIGN.md, "Admission rules").
 * {@code app} is always the module's name ("kb_Bowtie2"), the label the ledger and messages use.
 */
public sealed interface JobClass {

    /** For people: "parent at depth 1 (kb_Bwa), started by 65a1...". */
    String describe();

    /** A job that finishes by itself: always admitted, still counted in A(u). */
    record Plain(String app) implements JobClass {
        public String describe() {
            return "plain job (" + app + ")";
        }
    }

    /**
     * A parallel app at nesting {@code depth} (0 = top level). {@code parentJobId} is the active
     * parent that made it nested, or null at depth 0 (a {@code parent_job_id} that names no active
     * parent of the same user earns nothing and is not kept).
     */
    record Parent(int depth, String app, String parentJobId) implements JobClass {
        public String describe() {
            return "parallel app at depth " + depth + " (" + app + ")"
                    + (parentJobId == null ? "" : ", started by parallel app " + parentJobId);
        }
    }

    /**
     * A low-priority job: submitted with {@code parent_job_id} (a parallel app's child), or a
     * {@code run_job_batch} child ({@code parentJobId} null). Held children are served
     * round-robin across {@code parentJobId}s; batch children are held as their whole batch.
     */
    record Child(String parentJobId, String app) implements JobClass {
        public String describe() {
            return "child (" + app + ")" + (parentJobId == null ? " in a batch" : " of " + parentJobId);
        }
    }

    /**
     * Several jobs created by one call that EE2 queues all at once: {@code run_job_batch}'s
     * children, or {@code retry_jobs} with several ids ({@code retry} true). Members are
     * {@link Plain}, {@link Parent} or {@link Child}; exempt members are left out.
     */
    record Batch(List<JobClass> members, boolean retry) implements JobClass {
        public Batch {
            members = List.copyOf(members);
            for (JobClass m : members) {
                if (m instanceof Batch || m instanceof Exempt) {
                    throw new IllegalArgumentException("a batch member must be plain, parent or child: " + m);
                }
            }
        }

        /** k: the parallel apps in the batch (each counted as a parent). */
        public String describe() {
            return (retry ? "retry of " : "batch of ") + members.size() + " jobs: " + parents() + " parallel app"
                    + (parents() == 1 ? "" : "s") + " (k), " + others() + " other" + (others() == 1 ? "" : "s") + " (m)";
        }

        public int parents() {
            return (int) members.stream().filter(Parent.class::isInstance).count();
        }

        /** m: the other members (children and plain jobs). */
        public int others() {
            return members.size() - parents();
        }

        /** Whether any member is a child, which makes the whole batch low priority. */
        public boolean hasChildren() {
            return members.stream().anyMatch(Child.class::isInstance);
        }

        /** The deepest parent member's depth, or -1 without parents. */
        public int deepestParent() {
            return members.stream().filter(Parent.class::isInstance).mapToInt(p -> ((Parent) p).depth())
                    .max().orElse(-1);
        }

        /** The parallel apps by name, for messages: {kb_Bowtie2=4, kb_concoct=3}. */
        public Map<String, Integer> parentsByApp() {
            Map<String, Integer> out = new TreeMap<>();
            for (JobClass m : members) {
                if (m instanceof Parent p) {
                    out.merge(p.app(), 1, Integer::sum);
                }
            }
            return out;
        }
    }

    /** Takes no slot and is never held. */
    record Exempt(Why why) implements JobClass {
        public String describe() {
            return "exempt (" + why.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")";
        }
    }

    /** Why a call is exempt. */
    enum Why {
        /** The (ledger) user is listed in {@code exempt.users}. */
        EXEMPT_USER,
        /** {@code run_job_concierge}: EE2 ignores concurrency limits for it. */
        CONCIERGE,
        /** {@code as_admin} with a truthy {@code job_requirements.ignore_concurrency_limits}. */
        ADMIN_IGNORES_LIMITS
    }
}
