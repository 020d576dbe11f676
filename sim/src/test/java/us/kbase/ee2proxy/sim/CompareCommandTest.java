package us.kbase.ee2proxy.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import us.kbase.ee2proxy.sim.workload.Deadlock;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.ClassStats;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.FailedApp;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Orphan;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Stats;
import us.kbase.ee2proxy.sim.workload.WorkloadReport.Verdict;

/** {@code compare}: two reports written by {@code workload --json}, read back and set side by side. */
class CompareCommandTest {
    private static final Stats NONE = new Stats(0, 0, 0, 0);

    @Test
    void theDeadlockNamesItsParentsAndTheProxyRunShowsTheInteractiveWait(@TempDir Path dir) throws Exception {
        WorkloadReport direct = new WorkloadReport("twelve", "http://sim/", Verdict.DEADLOCK, "all slots held", 325, 3, 43, 0,
                List.of(new ClassStats("interactive", 1, 0, NONE, NONE),
                        new ClassStats("parallel-app", 12, 0, new Stats(10, 7, 14, 14.5), NONE)),
                List.of(), List.of(),
                new Deadlock("alice", 10, List.of("p1", "p2"), List.of("kb_Bowtie2.app", "kb_Bowtie2.app"), List.of("c1")),
                List.of(), List.of());
        WorkloadReport proxied = new WorkloadReport("twelve", "http://proxy/", Verdict.FINISHED, "done", 1234.5, 12, 43, 43,
                List.of(new ClassStats("interactive", 1, 1, new Stats(1, 12.3, 12.3, 12.3), new Stats(1, 70, 70, 70)),
                        new ClassStats("parallel-app", 12, 12, new Stats(12, 1, 2, 3), NONE)),
                List.of(), List.of(), null, List.of(), List.of());
        Path a = dir.resolve("direct.json");
        Path b = dir.resolve("proxy.json");
        Files.writeString(a, direct.toJson());
        Files.writeString(b, proxied.toJson());

        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new SimMain());
        cl.setOut(new PrintWriter(out, true));
        int exit = cl.execute("compare", a.toString(), b.toString());

        assertThat(exit).isZero();
        assertThat(out.toString())
                .containsPattern("verdict +DEADLOCK +FINISHED")
                .containsPattern("jobs finished +0 of 43 +43 of 43")
                .containsPattern("makespan +stuck \\(gave up at 325 s\\) +1235 s")
                .containsPattern("interactive waited \\(max\\) +never started +12.3 s")
                .containsPattern("parallel-app waited \\(max\\) +14.5 s \\(2 never\\) +3.0 s")
                .contains("parent p1  kb_Bowtie2.app", "parent p2  kb_Bowtie2.app")
                .contains("through the proxy: every job finished");
    }

    @Test
    void appsFailedByARefusalShowInTheVerdictAndSideBySide(@TempDir Path dir) throws Exception {
        List<ClassStats> classes = List.of(new ClassStats("parallel-app", 5, 5, NONE, NONE));
        WorkloadReport direct = new WorkloadReport("bowtie2", "http://sim/", Verdict.FINISHED, "every job finished", 100,
                2, 20, 20, classes, List.of(), List.of(), null, List.of(), List.of());
        List<FailedApp> failed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            failed.add(new FailedApp("p" + i, "alice", "kb_Bowtie2.app", "parallel-app",
                    "KBParallel: run_job for a kb_Bowtie2.one task failed, so the app failed: limit is 5"));
        }
        WorkloadReport proxied = new WorkloadReport("bowtie2", "http://proxy/", Verdict.FINISHED, "every job finished",
                50, 1, 10, 10, classes, List.of(), List.of(), null, failed,
                List.of(new Orphan("c1", "alice", "kb_Bowtie2.one", "completed", "p0", "kb_Bowtie2.app", "error")));
        assertThat(proxied.toTable())
                .contains("verdict   FINISHED, but 5 parallel apps failed: a child's run_job was refused: every job")
                .contains("apps      5 failed by a refusal, 1 orphaned children")
                .contains("p3  alice      parallel-app kb_Bowtie2.app: KBParallel: run_job", "c1  alice      completed");
        assertThat(direct.toTable()).contains("verdict   FINISHED: every job finished", "apps      0 failed by a refusal");
        Path a = dir.resolve("direct.json");
        Path b = dir.resolve("proxy.json");
        Files.writeString(a, direct.toJson());
        Files.writeString(b, proxied.toJson());

        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new SimMain());
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("compare", a.toString(), b.toString())).isZero();
        assertThat(out.toString())
                .containsPattern("apps failed by a refusal +0 +5")
                .containsPattern("orphaned children +0 +1")
                .contains("directly: every job finished")
                .contains("through the proxy: FINISHED, but 5 parallel apps failed: a child's run_job was refused "
                        + "(1 orphaned children left running).");
    }

    @Test
    void anUnreadableReportExitsTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "not json");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SimMain());
        cl.setErr(new PrintWriter(err, true));

        assertThat(cl.execute("compare", bad.toString(), bad.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read a workload report");
    }
}
