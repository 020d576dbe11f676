package us.kbase.ee2proxy.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What EE2 runs, per the oracle's record, judged by the test's policy: which jobs hold an HTCondor
 * slot, whose slot (the ledger user: bill_to_user of an admin's job, else the owner), which are
 * parallel apps and at which nesting depth, and whether each parallel app was created within the
 * cap (P(u) < parents.maxPerUser + depth, depth <= parents.maxNestingDepth).
 *
 * <p>A job is a parallel app when what EE2 runs matches {@code parents.apps}, as the oracle read
 * it (stripped, the way EE2's AppInfo reads {@code method} and {@code app_id}): an entry
 * {@code Module} matches every method of the module; {@code Module.method} that method; an app id
 * {@code Module/app} the job whose app id names it (with {@code /} or {@code .}) or whose method is
 * {@code Module.app}. Nesting: a parallel app whose {@code parent_job_id} (as EE2 stored it) names
 * an active parallel app of the same ledger user is one level deeper; anything else is depth 0.
 *
 * <p>How far a child is trusted (issue 16, item 8, the rule the proxy implements): a job whose
 * {@code parent_job_id} names an active parallel app of the same ledger user is that app's child
 * while the app has fewer than {@code perParent} unfinished children; a parallel app among them
 * is a child (not a parallel app) only when it is a copy of its parent's own module listed by
 * module alone (a worker, {@code ownModuleJobs: child}). Beyond {@code perParent} the job is what
 * it is without a parent: a parallel app at depth 0, counted against the cap.
 */
final class Truth {

    /** The test policy's parallel apps and caps. */
    record Rules(Set<String> modules, Set<String> methods, Set<String> appIds, int maxPerUser, int maxNestingDepth,
            int perParent) {
        boolean parallel(JsonNode create) {
            String module = text(create, "module");
            String function = text(create, "function");
            String appModule = text(create, "app_module");
            String appName = text(create, "app_name");
            if (module == null) {
                return false;
            }
            return modules.contains(module)
                    || methods.contains(module + "." + function)
                    || appIds.contains(module + "/" + function)
                    || (appModule != null && appName != null && appIds.contains(appModule + "/" + appName));
        }

        /** A parallel app only by a module entry: a worker when its parent is of its module. */
        boolean byModuleOnly(JsonNode create) {
            String module = text(create, "module");
            String appModule = text(create, "app_module");
            String appName = text(create, "app_name");
            return modules.contains(module) && !methods.contains(module + "." + text(create, "function"))
                    && !appIds.contains(module + "/" + text(create, "function"))
                    && !(appModule != null && appName != null && appIds.contains(appModule + "/" + appName));
        }
    }

    /** One job EE2 created. */
    static final class Job {
        final String id;
        final String owner;
        final String ledgerUser;
        final boolean exempt;
        final boolean parallel;
        final boolean container;
        final int depth;
        final String method;
        final String module;
        final String appId;
        final String parentJobId;
        final String via;
        /** The parent it is a child of (within perParent), or null. */
        String childOf;
        boolean active;
        String status;

        Job(JsonNode e, boolean parallel, int depth) {
            this.id = e.path("job_id").asText();
            this.owner = text(e, "owner");
            this.ledgerUser = text(e, "ledger_user");
            this.exempt = e.path("exempt").asBoolean();
            this.container = e.path("batch_container").asBoolean();
            this.parallel = parallel && !container;
            this.depth = depth;
            this.method = text(e, "method");
            this.module = text(e, "module");
            this.appId = text(e, "app_id");
            this.parentJobId = text(e, "parent_job_id");
            this.via = text(e, "via");
            this.active = e.path("in_condor").asBoolean();
            this.status = this.active ? "queued" : "created";
        }

        /** Takes one of its ledger user's HTCondor slots now. */
        boolean counts() {
            return active && !exempt && !container;
        }

        boolean countsAsParent() {
            return counts() && parallel;
        }

        String describe() {
            String what = container ? "batch container" : exempt ? "exempt job" : parallel ? "parallel app" : "plain job";
            StringBuilder b = new StringBuilder(id).append(" (").append(what);
            if (parallel && depth > 0) {
                b.append(" at depth ").append(depth);
            }
            if (childOf != null) {
                b.append(", child of ").append(childOf);
            }
            b.append(", ").append(quote(method));
            if (appId != null) {
                b.append(" app_id ").append(quote(appId));
            }
            if (parentJobId != null) {
                b.append(" parent_job_id ").append(quote(parentJobId));
            }
            if (!ledgerUser.equals(owner)) {
                b.append(", owner ").append(owner).append(", billed to ").append(ledgerUser);
            }
            b.append(", via ").append(via);
            if (!active) {
                b.append(", ").append(status);
            }
            return b.append(')').toString();
        }
    }

    /** A parallel app EE2 created over the cap. */
    record CapExceeded(String user, Job job, List<String> alreadyRunning, int cap) {
        String describe() {
            return "EE2 created " + job.describe() + " for " + user + " while " + alreadyRunning.size()
                    + " parallel app(s) of theirs were running " + alreadyRunning + " (cap C_" + job.depth + " = " + cap
                    + ")";
        }
    }

    /** What one step's record entries changed. */
    record Delta(List<Job> created, List<Job> ended, List<CapExceeded> overCap, List<JsonNode> calls) {}

    private final Rules rules;
    private final Map<String, Job> jobs = new HashMap<>();
    /** Per ledger user, the jobs that take one of their slots, in creation order. */
    private final Map<String, Set<Job>> counting = new HashMap<>();
    private final Map<String, List<Job>> byOwner = new HashMap<>();

    Truth(Rules rules) {
        this.rules = rules;
    }

    Delta apply(List<JsonNode> events) {
        List<Job> created = new ArrayList<>();
        List<Job> ended = new ArrayList<>();
        List<CapExceeded> overCap = new ArrayList<>();
        List<JsonNode> calls = new ArrayList<>();
        for (JsonNode e : events) {
            switch (e.path("event").asText()) {
                case "create" -> {
                    boolean parallel = rules.parallel(e) && !e.path("batch_container").asBoolean();
                    String user = text(e, "ledger_user");
                    int depth = 0;
                    Job parent = text(e, "parent_job_id") == null ? null : jobs.get(text(e, "parent_job_id"));
                    boolean ownParent = parent != null && parent.countsAsParent() && parent.ledgerUser.equals(user);
                    boolean child = ownParent && (!parallel || rules.byModuleOnly(e) && parent.module.equals(text(e, "module")));
                    String childOf = null;
                    if (child && children(user, parent.id) < rules.perParent()) {
                        childOf = parent.id;
                        parallel = false;
                    } else if (parallel && ownParent && !child) {
                        depth = parent.depth + 1;
                    }
                    Job job = new Job(e, parallel, depth);
                    job.childOf = childOf;
                    if (job.countsAsParent()) {
                        List<String> running = activeParents(user);
                        int cap = rules.maxPerUser() + depth;
                        if (running.size() >= cap || depth > rules.maxNestingDepth()) {
                            overCap.add(new CapExceeded(user, job, running, cap));
                        }
                    }
                    jobs.put(job.id, job);
                    if (job.counts()) {
                        counting.computeIfAbsent(job.ledgerUser, u -> new LinkedHashSet<>()).add(job);
                    }
                    byOwner.computeIfAbsent(job.owner, u -> new ArrayList<>()).add(job);
                    created.add(job);
                }
                case "end" -> {
                    Job job = jobs.get(e.path("job_id").asText());
                    if (job != null) {
                        Set<Job> c = counting.get(job.ledgerUser);
                        if (c != null) {
                            c.remove(job);
                        }
                        job.active = false;
                        job.status = e.path("status").asText();
                        ended.add(job);
                    }
                }
                case "call" -> calls.add(e);
                default -> throw new IllegalStateException("unknown oracle record entry: " + e);
            }
        }
        return new Delta(created, ended, overCap, calls);
    }

    Job job(String id) {
        return jobs.get(id);
    }

    /** The user's parallel apps that hold a slot, in creation order. */
    List<String> activeParents(String user) {
        List<String> out = new ArrayList<>();
        for (Job j : counting.getOrDefault(user, Set.of())) {
            if (j.parallel) {
                out.add(j.id);
            }
        }
        return out;
    }

    /** The user's jobs that hold a slot as children of {@code parent}. */
    private int children(String user, String parent) {
        int n = 0;
        for (Job j : counting.getOrDefault(user, Set.of())) {
            n += parent.equals(j.childOf) ? 1 : 0;
        }
        return n;
    }

    /** Every job that holds one of the user's slots. */
    List<String> activeJobs(String user) {
        List<String> out = new ArrayList<>();
        for (Job j : counting.getOrDefault(user, Set.of())) {
            out.add(j.id);
        }
        return out;
    }

    /** Jobs owned by {@code user} (any state), in creation order. */
    List<Job> ownedBy(String user) {
        return List.copyOf(byOwner.getOrDefault(user, List.of()));
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
