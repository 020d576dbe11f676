package us.kbase.ee2proxy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import us.kbase.ee2proxy.jsonrpc.JsonRpcSniffer;
import us.kbase.ee2proxy.jsonrpc.SniffResult;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.DurationText;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;
import us.kbase.ee2proxy.policy.decide.Decision.Admit;
import us.kbase.ee2proxy.policy.decide.Decision.Hold;
import us.kbase.ee2proxy.policy.decide.Decision.Refuse;
import us.kbase.ee2proxy.policy.load.PolicyException;
import us.kbase.ee2proxy.policy.load.PolicyLoader;

/**
 * {@code explain --policy FILE --counts JSON --request FILE}: how the proxy would decide one
 * request, with both texts. The request file is a JSON-RPC body exactly as a client sends it
 * (read by the proxy's own sniffer, with Python's json.loads rules); the counts are described in
 * {@link ExplainCounts}. Exit 0 with the decision; 2 when an input cannot be read.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain the admission decision for one request body, given a policy and the user's counts.",
        footer = {"", "--counts takes JSON inline or a file holding it, e.g.",
                "  {\"user\": \"alice\", \"parentsByApp\": {\"kb_Bowtie2\": 3, \"kb_concoct\": 2}, \"jobs\": 7,",
                "   \"activeParents\": {\"<job id>\": {\"app\": \"kb_BatchApp\", \"depth\": 0}},",
                "   \"retried\": {\"<job id>\": {\"method\": \"kb_Bwa.run\"}}, \"waited\": \"4m\",",
                "   \"ownCallRecent\": false}",
                "Every member is optional: parents defaults to the sum of parentsByApp, jobs to parents,",
                "ownCallRecent (an own job within children.reserveFor: the reserve is kept) to true."})
public final class ExplainCommand implements Callable<Integer> {
    /** Exit code for an input that cannot be read. */
    public static final int BAD_INPUT = 2;

    @Option(names = "--policy", paramLabel = "FILE", defaultValue = "config/policy.yaml",
            description = "the admission policy (default: ${DEFAULT-VALUE})")
    Path policyFile;

    @Option(names = "--counts", paramLabel = "JSON", defaultValue = "{}",
            description = "the ledger user's counts: JSON, or a file holding it (default: nothing running)")
    String countsArg;

    @Option(names = "--request", paramLabel = "FILE",
            description = "a JSON-RPC request body as a client would send it (required without --live)")
    Path requestFile;

    @Option(names = "--live", paramLabel = "USER",
            description = "use USER's live counts, read from a running proxy's admin port (--admin-url) instead of"
                    + " --counts; without --request, explain the next call of each class")
    String liveUser;

    @Option(names = "--admin-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8081/",
            description = "the running proxy's admin port, for --live (default: ${DEFAULT-VALUE})")
    URI adminUrl;

    @Option(names = "--admin-token", paramLabel = "TOKEN", defaultValue = "${env:EE2_PROXY_ADMIN_TOKEN}",
            description = "a KBase token with EE2_ADMIN or EE2_ADMIN_RO, needed when the admin port is not on"
                    + " loopback (default: $EE2_PROXY_ADMIN_TOKEN)")
    String adminToken;

    @Option(names = "--user", paramLabel = "USER", description = "the token's user (default: counts.user, else \"user\")")
    String user;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            explain(out);
            return 0;
        } catch (BadInput e) {
            err.println("explain: " + e.getMessage());
            return BAD_INPUT;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void explain(PrintWriter out) throws BadInput {
        if (requestFile == null && liveUser == null) {
            throw new BadInput("give --request FILE (a request body), or --live USER (a running proxy's user)");
        }
        AdmissionPolicy policy = loadPolicy();
        if (liveUser != null) {
            explainLive(out, policy);
            return;
        }
        ExplainCounts counts = loadCounts();
        SniffResult.Call call = readRequest();
        String tokenUser = user != null ? user : counts.user() != null ? counts.user() : "user";
        explain(out, policy, counts, call, tokenUser);
    }

    /** {@code --live}: the user's counts from the running proxy; the request given, or one of each class. */
    private void explainLive(PrintWriter out, AdmissionPolicy policy) throws BadInput {
        LiveCounts live;
        try {
            live = LiveCounts.read(adminUrl, adminToken, liveUser);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInput("cannot read the live state from " + adminUrl + " (--admin-url): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInput("interrupted while reading " + adminUrl);
        }
        ExplainCounts counts = live.counts() != null ? live.counts()
                : new ExplainCounts(liveUser, 0, 0, null, null, null, null, null);
        out.println("live state:    " + adminUrl.resolve("/state.json") + (live.countsAsOf() == null ? ""
                : ", counts as of " + live.countsAsOf()));
        if (live.counts() == null) {
            out.println("               the proxy shows nothing of " + liveUser
                    + " (nothing running, waiting or decided lately): zero counts");
        }
        out.println("waiting:       " + live.waiting() + " of " + liveUser + "'s calls wait at the proxy now");
        if (live.stall() != null) {
            out.println("STALLED:       " + live.stall());
        }
        if (requestFile != null) {
            explain(out, policy, counts, readRequest(), liveUser);
            return;
        }
        for (Map.Entry<String, String> next : LiveRequests.of(policy, live.firstApp()).entrySet()) {
            out.println();
            out.println("== the next " + next.getKey());
            SniffResult r = JsonRpcSniffer.sniff(next.getValue().getBytes(StandardCharsets.UTF_8));
            explain(out, policy, counts, (SniffResult.Call) r, liveUser);
        }
    }

    private void explain(PrintWriter out, AdmissionPolicy policy, ExplainCounts counts, SniffResult.Call call,
            String tokenUser) throws BadInput {
        out.println("request:       " + call.methodName());
        if (!call.method().createsJobs()) {
            out.println("decision:      PASS THROUGH: not a job-creating method, forwarded unchanged without a decision");
            return;
        }
        if (call.creation() == null) {
            out.println("decision:      PASS THROUGH: EE2 cannot run these params (it answers an error and creates no job)");
            return;
        }
        Duration waited;
        try {
            waited = counts.waitedDuration();
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        Classification c = Classifier.classify(policy, call.creation(), tokenUser,
                counts.parentLookup(tokenUser), counts.retryLookup());
        EffectivePolicy effective = policy.forUser(c.ledgerUser());
        UserCounts userCounts = counts.counts();
        Decision d = Admission.decide(effective, userCounts, c, waited);
        out.println("class:         " + c.jobClass().describe());
        out.println("ledger user:   " + c.ledgerUser() + " (" + effective.limitsSource() + ", mode "
                + effective.mode().name().toLowerCase(java.util.Locale.ROOT) + ")");
        out.println("counts:        P(u)=" + userCounts.parents() + " A(u)=" + userCounts.jobs()
                + apps(userCounts.parentsByApp()) + ", waited " + DurationText.compact(waited)
                + (effective.limits().reserveNeverLent() ? ""
                        : userCounts.ownCallRecent() ? ", an own job within children.reserveFor "
                                + effective.limits().reserveForText() + " (reserve kept)"
                        : ", no own job within children.reserveFor " + effective.limits().reserveForText()
                                + " (reserve lent)"));
        out.println("decision:      " + headline(d));
        out.println("demand:        " + demand(decisionDemand(d, effective, c, waited)));
        out.println("user message:  " + d.reason().userMessage());
        out.println("admin message: " + d.reason().adminMessage());
    }

    private AdmissionPolicy loadPolicy() throws BadInput {
        try {
            return PolicyLoader.load(policyFile);
        } catch (PolicyException e) {
            throw new BadInput("the policy is not valid (run check-policy " + policyFile + "):"
                    + System.lineSeparator() + e.getMessage());
        }
    }

    private ExplainCounts loadCounts() throws BadInput {
        String json = countsArg;
        if (!countsArg.strip().startsWith("{")) {
            try {
                json = Files.readString(Path.of(countsArg), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadInput("--counts " + countsArg + " is neither JSON nor a readable file: " + e.getMessage());
            }
        }
        try {
            return ExplainCounts.parse(json);
        } catch (JsonProcessingException e) {
            throw new BadInput("--counts is not the expected JSON: " + e.getOriginalMessage()
                    + " (see explain --help for its shape)");
        }
    }

    private SniffResult.Call readRequest() throws BadInput {
        byte[] body;
        try {
            body = Files.readAllBytes(requestFile);
        } catch (IOException e) {
            throw new BadInput("cannot read --request " + requestFile + ": " + e.getMessage());
        }
        SniffResult r = JsonRpcSniffer.sniff(body);
        if (r instanceof SniffResult.ParseError p) {
            throw new BadInput(requestFile + " is not JSON as EE2 reads it: " + p.message()
                    + " (EE2 would answer its -32700 parse error)");
        }
        if (r instanceof SniffResult.NotACall n) {
            throw new BadInput(requestFile + " is not a JSON-RPC call EE2 would dispatch: " + n.reason());
        }
        return (SniffResult.Call) r;
    }

    private static String headline(Decision d) {
        if (d instanceof Admit a) {
            return a.shadowOf().map(enforced -> "ADMIT (shadow mode; enforce would " + headline(enforced) + ")")
                    .orElse("ADMIT");
        }
        if (d instanceof Hold h) {
            return "HOLD up to " + DurationText.compact(h.atMost()) + ", then "
                    + h.then().name().toLowerCase(java.util.Locale.ROOT) + " (retried at every release of the user's slots)";
        }
        Refuse r = (Refuse) d;
        return "REFUSE: HTTP 500, JSON-RPC error -32000"
                + r.retryAfter().map(t -> ", Retry-After: " + t.toSeconds()).orElse("");
    }

    private static SlotDemand decisionDemand(Decision d, EffectivePolicy p, Classification c, Duration waited) {
        if (d instanceof Admit a) {
            return a.demand();
        }
        if (d instanceof Hold h) {
            return h.demand();
        }
        return Admission.demand(p, c, waited);
    }

    private static String demand(SlotDemand d) {
        String claims = d.claims().stream()
                .map(cl -> cl.parent() ? "parent d" + cl.depth() + " " + cl.app()
                        : cl.childOf() != null ? "child of " + cl.childOf() + " " + cl.app() : "job " + cl.app())
                .collect(Collectors.joining(", ", "[", "]"));
        String bounds = d.childBounds().stream()
                .map(b -> "children of " + b.parent() + " <= " + b.limit() + " (children.perParent)")
                .collect(Collectors.joining(", "));
        return d.claims().size() + " claim" + (d.claims().size() == 1 ? "" : "s") + " " + claims
                + "; parents <= " + limit(d.parentLimit()) + ", jobs <= " + limit(d.jobLimit())
                + (d.lentJobLimit() == d.jobLimit() ? "" : " (" + limit(d.lentJobLimit())
                        + " while the reserve is lent: no own job within children.reserveFor)")
                + (d.marksOwnCallMs() == 0 ? "" : "; keeps the user's reserve for "
                        + DurationText.compact(java.time.Duration.ofMillis(d.marksOwnCallMs())) + " (children.reserveFor)")
                + (bounds.isEmpty() ? "" : "; " + bounds);
    }

    private static String limit(int l) {
        return l == SlotDemand.UNLIMITED ? "unlimited" : Integer.toString(l);
    }

    private static String apps(Map<String, Integer> byApp) {
        return byApp.isEmpty() ? "" : byApp.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ", " (", ")"));
    }

    /** An input the command cannot use; the message says which and why. */
    private static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }
}
