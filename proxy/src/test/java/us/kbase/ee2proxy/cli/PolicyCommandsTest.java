package us.kbase.ee2proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import us.kbase.ee2proxy.ProxyMain;

/** {@code check-policy} and {@code explain}, run as the jar runs them (picocli, real files). */
class PolicyCommandsTest {
    static final Path CONFIG = Path.of("..", "config");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void checkPolicyPrintsTheEffectiveLimitsOfEveryOverride() {
        Run r = run("check-policy", CONFIG.resolve("examples/per-lab-overrides.yaml").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("per-lab-overrides.yaml: valid")
                .contains("exempt.users: kbase_service")
                .contains("kb_smithlab_pipeline")
                .containsPattern("defaults +10 +5 +2 +5,6,7 +hold +10m +0 +1 +10m +15m +50 +never wait +10m +everyone else")
                .containsPattern("smith-lab +20\\* +12\\* +2 +12,13,14 +hold +10m +30\\* +1 +10m +15m +50 +never wait +10m +asmith, bjones, cwu")
                .containsPattern("pipeline-lab +10 +4\\* +3\\* +4,5,6,7 ")
                .containsPattern("classroom +10 +2\\* +2 +2,3,4 +refuse\\* ")
                .contains("* set by the override");
    }

    @Test
    void checkPolicyOnTheShippedDefaultIsKBaseToday() {
        Run r = run("check-policy", CONFIG.resolve("policy.yaml").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("mode: enforce, redis.onFailure: wait")
                .containsPattern("defaults +10 +5 +2 +5,6,7 +hold +10m +0 +1 +10m +15m +50 ")
                .contains("children.perParent")
                .contains("children.reserveFor");
    }

    @Test
    void checkPolicyShowsChildrenReserveForAndMarksAnOverridesValue() throws Exception {
        Path p = file("lend.yaml", "children:\n  reserveFor: 10m\noverrides:\n  - name: lab\n    users: [alice]\n"
                + "    children: {reserveFor: always}\n");
        Run r = run("check-policy", p.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("defaults +10 +5 +2 +5,6,7 +hold +10m +0 +1 +10m +15m +50 ")
                .containsPattern("lab +10 +5 +2 +5,6,7 +hold +10m +0 +1 +always\\* +15m +50 ");
    }

    @Test
    void checkPolicyOnABrokenFileExitsTwoWithLineColumnAndAFixForEachProblem() throws Exception {
        Path bad = file("bad.yaml", "slots: 10\nparents:\n  maxPerUser: 6\n  maxNestingDepth: 4\n  maxWaitt: 10m\n"
                + "children:\n  maxWait: 45m\n");
        Run r = run("check-policy", bad.toString());
        assertThat(r.exit()).isEqualTo(CheckPolicyCommand.INVALID);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().filter(l -> l.startsWith(bad.toString()))).containsExactly(
                bad + ":4:3: parents.maxPerUser (6) + parents.maxNestingDepth (4) = 10 is more than slots - 1 (9):"
                        + " parallel apps could then hold every slot while their children wait, the deadlock this proxy"
                        + " exists to prevent",
                bad + ":5:3: unknown key parents.maxWaitt",
                bad + ":7:12: children.maxWait is 45m, but it must be shorter than 30m: KBase clients give up on a call"
                        + " after 30 minutes, and a child must be admitted before that",
                bad + ": 3 problems; the policy was not accepted.");
        assertThat(r.err()).contains("    fix: lower parents.maxNestingDepth to 3")
                .contains("    fix: did you mean parents.maxWait?")
                .contains("    fix: use a value between 1s and 29m");
    }

    @Test
    void explainShowsTheDecisionAndBothTexts() throws Exception {
        Path request = file("run_job.json", "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\":"
                + " \"kb_Bwa.run_app\", \"app_id\": \"kb_Bwa/run_app\", \"params\": [{}], \"wsid\": 42}],"
                + " \"version\": \"1.1\", \"id\": \"7364829105\"}");
        Run r = run("explain", "--policy", CONFIG.resolve("policy.yaml").toString(), "--counts",
                "{\"user\": \"alice\", \"parentsByApp\": {\"kb_Bowtie2\": 3, \"kb_concoct\": 2}, \"jobs\": 7}",
                "--request", request.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("request:       execution_engine2.run_job")
                .contains("class:         parallel app at depth 0 (kb_Bwa)")
                .contains("ledger user:   alice (defaults, mode enforce)")
                .contains("counts:        P(u)=5 A(u)=7 (kb_Bowtie2 x3, kb_concoct x2), waited 0s")
                .contains("decision:      HOLD up to 10m, then refuse")
                .contains("demand:        1 claim [parent d0 kb_Bwa]; parents <= 5, jobs <= unlimited")
                .contains("user message:  You have 5 parallel apps running (kb_Bowtie2 x3, kb_concoct x2); your limit"
                        + " is 5. This one starts when one of them finishes, and waits at most 10 minutes.")
                .contains("admin message: hold kb_Bwa job: P(u)=5 > C_0=5");
    }

    @Test
    void explainResolvesNestingFromActiveParentsAndCountsFromAFile() throws Exception {
        Path request = file("nested.json", "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\":"
                + " \"kb_Bwa.run_app\", \"parent_job_id\": \"p1\"}], \"version\": \"1.1\", \"id\": \"1\"}");
        Path counts = file("counts.json", "{\"user\": \"alice\", \"parentsByApp\": {\"kb_BatchApp\": 1, \"kb_hisat2\": 1},"
                + " \"activeParents\": {\"p1\": {\"app\": \"kb_hisat2\", \"depth\": 2}}}");
        Run r = run("explain", "--policy", CONFIG.resolve("policy.yaml").toString(), "--counts", counts.toString(),
                "--request", request.toString());
        assertThat(r.exit()).isZero();
        // Sent by a running parallel app, it is never refused (KBParallel would fail the whole app):
        // deeper than parents.maxNestingDepth, it waits on the deepest cap, C_2 = 7, and fits.
        assertThat(r.out()).contains("class:         parallel app at depth 3 (kb_Bwa), started by parallel app p1")
                .contains("decision:      ADMIT");
    }

    @Test
    void explainSaysWhetherTheReserveIsKeptOrLentUnderChildrenReserveFor() throws Exception {
        Path policy = file("lend.yaml", "children:\n  reserveFor: 10m\n");
        Path child = file("child.json", "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\":"
                + " \"kb_uploadmethods.x\", \"parent_job_id\": \"p0\"}], \"version\": \"1.1\", \"id\": \"1\"}");
        String counts = "{\"user\": \"alice\", \"parentsByApp\": {\"kb_BatchApp\": 1}, \"jobs\": 9,"
                + " \"activeParents\": {\"p0\": {\"app\": \"kb_BatchApp\", \"depth\": 0}}";
        Run kept = run("explain", "--policy", policy.toString(), "--user", "alice", "--counts", counts + "}",
                "--request", child.toString());
        assertThat(kept.exit()).isZero();
        assertThat(kept.out()).contains("an own job within children.reserveFor 10m (reserve kept)")
                .contains("decision:      HOLD")
                .contains("jobs <= 9 (10 while the reserve is lent: no own job within children.reserveFor)");
        Run lent = run("explain", "--policy", policy.toString(), "--user", "alice", "--counts",
                counts + ", \"ownCallRecent\": false}", "--request", child.toString());
        assertThat(lent.out()).contains("no own job within children.reserveFor 10m (reserve lent)")
                .contains("decision:      ADMIT");
        Path plain = file("plain.json", "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\":"
                + " \"kb_uploadmethods.x\"}], \"version\": \"1.1\", \"id\": \"1\"}");
        assertThat(run("explain", "--policy", policy.toString(), "--user", "alice", "--request", plain.toString()).out())
                .contains("keeps the user's reserve for 10m (children.reserveFor)");
    }

    @Test
    void explainInShadowModeAdmitsAndSaysWhatEnforceWouldDo() throws Exception {
        Path request = file("batch.json", "{\"method\": \"execution_engine2.run_job_batch\", \"params\": [[{\"method\":"
                + " \"kb_Bowtie2.a\"}, {\"method\": \"kb_uploadmethods.b\"}], {\"wsid\": 1}], \"version\": \"1.1\","
                + " \"id\": \"1\"}");
        Run r = run("explain", "--policy", CONFIG.resolve("examples/shadow.yaml").toString(), "--user", "bob",
                "--counts", "{\"parents\": 5, \"jobs\": 9}", "--request", request.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("class:         batch of 2 jobs: 1 parallel app (k), 1 other (m)")
                .contains("ledger user:   bob (defaults, mode shadow)")
                .contains("decision:      ADMIT (shadow mode; enforce would HOLD up to 10m, then refuse")
                .contains("parents <= unlimited");
    }

    @Test
    void explainPassesNonJobCreatingCallsThrough() throws Exception {
        Path request = file("check.json", "{\"method\": \"execution_engine2.check_job\", \"params\": [{\"job_id\": \"x\"}],"
                + " \"version\": \"1.1\", \"id\": \"1\"}");
        Run r = run("explain", "--policy", CONFIG.resolve("policy.yaml").toString(), "--request", request.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("decision:      PASS THROUGH: not a job-creating method");
    }

    @Test
    void explainRefusesInputsItCannotReadWithExitTwo() throws Exception {
        Path request = file("bad.json", "{\"method\": ");
        Run parse = run("explain", "--policy", CONFIG.resolve("policy.yaml").toString(), "--request", request.toString());
        assertThat(parse.exit()).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(parse.err()).contains("is not JSON as EE2 reads it: Expecting value: line 1 column 12 (char 11)");

        Path ok = file("ok.json", "{\"method\": \"execution_engine2.run_job\", \"params\": [{\"method\": \"a.b\"}],"
                + " \"version\": \"1.1\", \"id\": \"1\"}");
        Run counts = run("explain", "--counts", "{\"parent\": 3}", "--policy", CONFIG.resolve("policy.yaml").toString(),
                "--request", ok.toString());
        assertThat(counts.exit()).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(counts.err()).contains("--counts is not the expected JSON: Unrecognized field \"parent\"");

        Run policy = run("explain", "--policy", file("p.yaml", "slots: 1\n").toString(), "--request", ok.toString());
        assertThat(policy.exit()).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(policy.err()).contains("the policy is not valid").contains("p.yaml:1:8: slots must be between 2 and 10000");
    }
}
