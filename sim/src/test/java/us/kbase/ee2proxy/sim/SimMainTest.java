package us.kbase.ee2proxy.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The two entry points as scripts call them: exit codes and what they print. */
class SimMainTest {
    @RegisterExtension
    static SimulatorExtension sim = new SimulatorExtension(b -> b);

    record Run(int exit, String out, String err) {}

    private static Run main(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SimMain());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void workloadDeadlockExitsThree() {
        Run r = main("workload", "../config/workloads/twelve-parallel-apps.yaml", "--ee2-url", sim.url().toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).contains("verdict   DEADLOCK", "DEADLOCK: user alice has all 10 slots");
    }

    @Test
    void workloadThatFinishesExitsZeroAndPrintsJson() {
        Run r = main("workload", "../config/workloads/mixed-lab.yaml", "--ee2-url", sim.url().toString(), "--json");
        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).startsWith("{").contains("\"verdict\" : \"FINISHED\"", "\"classes\"");
    }

    @Test
    void workloadWhoseParallelAppsFailedByARefusedChildExitsFive(@TempDir Path dir) throws Exception {
        // A child method with two dots: EE2 answers its run_job with an error, and the app fails.
        Path f = dir.resolve("refused.yaml");
        Files.writeString(f, "speed: 100\nusers: [{name: carol, tokens: [c-1]}]\n"
                + "apps: [{method: kb_Bwa.run_bwa, seconds: 1, children: {app: kb_Bwa.not.a.method, count: 2}}]\n"
                + "submissions: [{at: 0, user: carol, app: kb_Bwa.run_bwa}]\n");
        Run r = main("workload", f.toString(), "--ee2-url", sim.url().toString());
        assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(5);
        assertThat(r.out()).contains("verdict   FINISHED, but 1 parallel app failed: a child's run_job was refused",
                "apps      1 failed by a refusal, 0 orphaned children");
    }

    @Test
    void badFileAndUnreachableUrlHaveTheirOwnCodesAndMessages(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: x\nusers:\n  - name: a\n    tokens: [t]\n    colour: blue\n");
        Run r = main("workload", bad.toString(), "--ee2-url", sim.url().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("bad.yaml:", "unknown key 'colour' at users[0]", "name", "tokens");

        Run missing = main("workload", dir.resolve("none.yaml").toString(), "--ee2-url", sim.url().toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");

        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, "users: [{name: a, tokens: [t]}]\nsubmissions: [{at: 0, user: a, app: m.f}]\n");
        Run down = main("workload", ok.toString(), "--ee2-url", "http://127.0.0.1:1/");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("cannot drive the EE2 simulator at http://127.0.0.1:1/");
    }

    @Test
    void servePrintsItsUrlWhenReadyAndServes(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("sim.yaml");
        Files.writeString(cfg, "tokens: [{token: cfg-token, user: zed}]\ncapacity: 50\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SimMain.class.getName(), "serve", "--port", "0", "--slots", "4", "--config", cfg.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("ee2-sim listening on http://127.0.0.1:");
            URI url = URI.create(line.substring(line.indexOf("http")));
            RawHttp.Response who = RawHttp.exchange(url, "GET", "/api/V2/token", new byte[0], true,
                    "Authorization: cfg-token");
            assertThat(who.text()).contains("\"user\":\"zed\"");
        } finally {
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
