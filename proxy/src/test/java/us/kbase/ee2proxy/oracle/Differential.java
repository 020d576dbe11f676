package us.kbase.ee2proxy.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import us.kbase.ee2proxy.ledger.SlotLedger;
import us.kbase.ee2proxy.ledger.TrackedJob;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * Sends bodies through the proxy to the oracle, one at a time, and after each compares what EE2
 * (the oracle) did with what the proxy's ledger counts:
 * <ul>
 *   <li>{@link Kind#CAP}: EE2 created a parallel app beyond the cap (see {@link Truth});
 *   <li>{@link Kind#WRONG_FREE}: the proxy freed a job's lease while EE2 still runs the job;
 *   <li>{@link Kind#UNCOUNTED}: EE2 runs a job (or parallel app) of a user that the proxy counts
 *       for nobody, or as a plain job: neither a lease bound to its id nor a provisional lease
 *       (a ticket whose job id the proxy never learned) covers it;
 *   <li>{@link Kind#OVERCOUNT}: the proxy counts more than EE2 runs (a lease of a job EE2 ended or
 *       never created, a plain job counted as a parallel app, a ticket no job stands behind).
 * </ul>
 * The first three let a user run more parallel apps than the cap; the last only makes a user wait.
 */
final class Differential {

    enum Kind {
        CAP, WRONG_FREE, UNCOUNTED, OVERCOUNT;

        /** Whether it lets a user exceed the cap (else the proxy only counts too much). */
        boolean safety() {
            return this != OVERCOUNT;
        }
    }

    /** One finding after a step. {@code key} identifies a standing state, so it is reported once. */
    record Violation(Kind kind, String user, String detail, String key) {
        @Override
        public String toString() {
            return kind + " " + user + ": " + detail;
        }
    }

    /** A request to send: who, how, and the tags the generator gave it (for attributing findings). */
    record Request(String label, String token, String httpMethod, byte[] body, Set<String> tags, Runnable before) {
        Request {
            tags = Set.copyOf(tags);
        }

        static Request post(String label, String token, byte[] body, String... tags) {
            return new Request(label, token, "POST", body, Set.of(tags), null);
        }

        Request withMethod(String method) {
            return new Request(label, token, method, body, tags, before);
        }

        Request before(Runnable action) {
            return new Request(label, token, httpMethod, body, tags, action);
        }
    }

    /** What happened in one step, and the report's lines for it. */
    record Step(int n, Request request, ProxyCall.Answer answer, Truth.Delta delta, List<Violation> violations,
            List<String> lines) {

        /** The id of the first job EE2 created in this step, or null. */
        String created() {
            return delta.created().stream().filter(j -> !j.container).map(j -> j.id).findFirst().orElse(null);
        }

        List<String> createdIds() {
            return delta.created().stream().filter(j -> !j.container).map(j -> j.id).toList();
        }
    }

    private record View(UserCounts counts, Map<String, SlotClaim> tracked) {}

    private final URI proxy;
    private final Ee2Oracle oracle;
    private final SlotLedger ledger;
    private final Truth truth;

    Differential(URI proxy, Ee2Oracle oracle, SlotLedger ledger, Truth truth) {
        this.proxy = proxy;
        this.oracle = oracle;
        this.ledger = ledger;
        this.truth = truth;
    }

    Truth truth() {
        return truth;
    }

    Ee2Oracle oracle() {
        return oracle;
    }

    Session session(String name, Set<String> watched) {
        return new Session(name, watched);
    }

    /** A sequence of steps over a set of users (a hand-written case, or an episode of the generator). */
    final class Session {
        final String name;
        final Set<String> watched;
        private final Set<String> standing = new HashSet<>();
        final List<Step> steps = new ArrayList<>();
        final List<Violation> violations = new ArrayList<>();

        private Session(String name, Set<String> watched) {
            this.name = name;
            this.watched = new LinkedHashSet<>(watched);
        }

        private boolean freshOvercount(Violation v) {
            return v.kind() == Kind.OVERCOUNT && (v.key() == null || !standing.contains(v.key()));
        }

        Step send(Request r) {
            Map<String, View> before = views(watched);
            if (r.before() != null) {
                r.before().run();
            }
            ProxyCall.Answer answer;
            try {
                answer = ProxyCall.send(proxy, r.httpMethod(), r.token(), r.body());
            } catch (IOException e) {
                throw new UncheckedIOException("sending " + r.label() + " through the proxy", e);
            }
            Truth.Delta delta = truth.apply(oracle.events());
            Map<String, View> after = views(watched);
            List<Violation> found = compare(before, after, delta);
            // The proxy frees a lease after it has answered (a finish by an admin first asks auth2
            // who the caller is): give a release up to 2 s to land before calling it an over-count.
            for (int waited = 0; waited < 2_000 && found.stream().anyMatch(this::freshOvercount); waited += 50) {
                sleep(50);
                after = views(watched);
                found = compare(before, after, delta);
            }
            List<Violation> fresh = new ArrayList<>();
            Set<String> nowStanding = new HashSet<>();
            for (Violation v : found) {
                if (v.key() == null) {
                    fresh.add(v);
                } else {
                    nowStanding.add(v.key());
                    if (!standing.contains(v.key())) {
                        fresh.add(v);
                    }
                }
            }
            standing.clear();
            standing.addAll(nowStanding);
            violations.addAll(fresh);
            Step step = new Step(steps.size() + 1, r, answer, delta, fresh, lines(steps.size() + 1, r, answer, delta, after, fresh));
            steps.add(step);
            return step;
        }

        Ee2Oracle oracle() {
            return oracle;
        }

        /** Whether the proxy's counts for the user equal what EE2 runs, job for job. */
        boolean inStep(String user) {
            View v = view(user);
            List<String> parents = truth.activeParents(user);
            List<String> jobs = truth.activeJobs(user);
            return v.counts().parents() == parents.size() && v.counts().jobs() == jobs.size()
                    && v.tracked().keySet().equals(new HashSet<>(jobs));
        }

        String report() {
            List<String> out = new ArrayList<>();
            for (Step s : steps) {
                out.addAll(s.lines());
            }
            return String.join("\n", out);
        }
    }

    private Map<String, View> views(Set<String> users) {
        Map<String, View> out = new LinkedHashMap<>();
        for (String u : users) {
            out.put(u, view(u));
        }
        return out;
    }

    private View view(String user) {
        UserCounts counts = ledger.counts(user).toCompletableFuture().join();
        Map<String, SlotClaim> tracked = new HashMap<>();
        for (TrackedJob j : ledger.trackedJobs(user).toCompletableFuture().join()) {
            tracked.put(j.jobId(), j.claim());
        }
        return new View(counts, tracked);
    }

    private List<Violation> compare(Map<String, View> before, Map<String, View> after, Truth.Delta delta) {
        List<Violation> out = new ArrayList<>();
        for (Truth.CapExceeded c : delta.overCap()) {
            out.add(new Violation(Kind.CAP, c.user(), c.describe(), null));
        }
        for (String user : after.keySet()) {
            View was = before.get(user);
            View now = after.get(user);
            for (String id : was.tracked().keySet()) {
                if (now.tracked().containsKey(id)) {
                    continue;
                }
                Truth.Job job = truth.job(id);
                if (job == null) {
                    continue; // a lease of a job EE2 never made: its end is not a slot given away
                }
                if (job.active) {
                    out.add(new Violation(Kind.WRONG_FREE, user, "the proxy freed the lease of " + job.describe()
                            + " (counted as " + claim(was.tracked().get(id)) + ") while EE2 still runs it", null));
                }
            }
            List<String> parents = truth.activeParents(user);
            List<String> jobs = truth.activeJobs(user);
            int trackedParents = (int) now.tracked().values().stream().filter(SlotClaim::parent).count();
            int provisionalParents = now.counts().parents() - trackedParents;
            int provisionalJobs = now.counts().jobs() - now.tracked().size();
            List<String> parentsNotCounted = new ArrayList<>();
            for (String p : parents) {
                SlotClaim c = now.tracked().get(p);
                if (c == null || !c.parent()) {
                    parentsNotCounted.add(p);
                }
            }
            List<String> jobsNotCounted = new ArrayList<>();
            for (String j : jobs) {
                if (!now.tracked().containsKey(j)) {
                    jobsNotCounted.add(j);
                }
            }
            String numbers = "EE2 runs P=" + parents.size() + " A=" + jobs.size() + ", the proxy counts P="
                    + now.counts().parents() + " A=" + now.counts().jobs();
            if (parentsNotCounted.size() > Math.max(0, provisionalParents)
                    || jobsNotCounted.size() > Math.max(0, provisionalJobs)) {
                List<String> what = new ArrayList<>();
                for (String id : new LinkedHashSet<>(concat(parentsNotCounted, jobsNotCounted))) {
                    SlotClaim c = now.tracked().get(id);
                    what.add(truth.job(id).describe() + (c == null ? " has no lease" : " is counted as " + claim(c)));
                }
                out.add(new Violation(Kind.UNCOUNTED, user, numbers + " (" + Math.max(0, provisionalJobs)
                        + " provisional lease(s)): " + String.join("; ", what),
                        "U|" + user + "|" + new TreeSet<>(concat(parentsNotCounted, jobsNotCounted))));
            }
            List<String> extra = new ArrayList<>();
            for (Map.Entry<String, SlotClaim> t : now.tracked().entrySet()) {
                Truth.Job job = truth.job(t.getKey());
                if (job == null) {
                    extra.add("a lease of " + t.getKey() + ", a job EE2 never created");
                } else if (!job.counts() || !job.ledgerUser.equals(user)) {
                    extra.add("a lease of " + job.describe() + ", which holds no slot of " + user + " at EE2");
                } else if (t.getValue().parent() && !job.parallel) {
                    extra.add(job.describe() + " counted as a parallel app");
                }
            }
            if (provisionalJobs > jobsNotCounted.size() || provisionalParents > parentsNotCounted.size()) {
                extra.add((provisionalJobs - jobsNotCounted.size()) + " provisional lease(s) with no job of "
                        + user + " at EE2 behind them");
            }
            if (!extra.isEmpty()) {
                out.add(new Violation(Kind.OVERCOUNT, user, numbers + ": " + String.join("; ", extra),
                        "O|" + user + "|" + new TreeSet<>(extra)));
            }
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String claim(SlotClaim c) {
        return c.parent() ? "a parallel app at depth " + c.depth() : "a plain job (" + c.app() + ")";
    }

    private List<String> lines(int n, Request r, ProxyCall.Answer answer, Truth.Delta delta, Map<String, View> after,
            List<Violation> fresh) {
        List<String> out = new ArrayList<>();
        out.add(String.format("  #%d %s %s %s%s", n, r.label(), r.httpMethod(), body(r.body()),
                r.tags().isEmpty() ? "" : " [" + String.join(", ", new TreeSet<>(r.tags())) + "]"));
        List<String> ee2 = new ArrayList<>();
        for (JsonNode call : delta.calls()) {
            String rpc = call.path("rpc").isNull() ? "(no method)" : call.path("rpc").asText().replace("execution_engine2.", "");
            String who = call.path("user").isNull() ? "" : " by " + call.path("user").asText();
            String http = call.path("http_method").asText();
            ee2.add((http.equals("POST") ? "" : http + " ") + rpc + who + " -> " + call.path("outcome").asText()
                    + (call.path("empty_body").asBoolean() && call.path("status").asInt() == 200 ? " [empty 200]" : ""));
        }
        out.add("      proxy answered " + answer.describe() + " | EE2 saw: "
                + (ee2.isEmpty() ? "nothing (not forwarded)" : String.join("; ", ee2)));
        for (Truth.Job j : delta.created()) {
            out.add("      EE2 created " + j.describe());
        }
        for (Truth.Job j : delta.ended()) {
            out.add("      EE2 ended " + j.id + " (" + j.status + ")");
        }
        List<String> counts = new ArrayList<>();
        for (Map.Entry<String, View> e : after.entrySet()) {
            String u = e.getKey();
            View v = e.getValue();
            int p = truth.activeParents(u).size();
            int a = truth.activeJobs(u).size();
            if (p + a + v.counts().parents() + v.counts().jobs() > 0) {
                counts.add(u + " EE2 P=" + p + " A=" + a + " / proxy P=" + v.counts().parents() + " A=" + v.counts().jobs());
            }
        }
        if (!counts.isEmpty()) {
            out.add("      " + String.join("; ", counts));
        }
        for (Violation v : fresh) {
            out.add("      !! " + v);
        }
        return out;
    }

    /** A body for a report line: at most 300 characters, anything but printable ASCII escaped. */
    static String body(byte[] body) {
        String t = new String(body, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < t.length() && b.length() < 300; i++) {
            char c = t.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x{%x}", (int) c));
        }
        if (b.length() >= 300) {
            b.append("...");
        }
        return b.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
