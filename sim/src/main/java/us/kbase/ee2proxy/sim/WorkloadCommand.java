package us.kbase.ee2proxy.sim;

import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import us.kbase.ee2proxy.sim.workload.Workload;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.sim.workload.WorkloadRunner;

/**
 * {@code workload FILE --ee2-url URL [--json]}. Exit codes: 0 every job finished, 3 deadlock,
 * 4 stalled or timed out, 5 every job finished but parallel apps failed because a child's
 * run_job was refused, 2 the workload file is wrong, 1 the URL does not lead to a simulator.
 */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = "Run a workload against an EE2 URL (the simulator, or a proxy in front of it).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every job finished", "3:deadlock verdict", "4:stalled or timed out",
                "5:every job finished, but parallel apps failed: a child's run_job was refused",
                "2:the workload file is wrong", "1:the URL does not lead to an EE2 simulator"})
final class WorkloadCommand implements Callable<Integer> {
    static final int FINISHED = 0;
    static final int UNREACHABLE = 1;
    static final int BAD_WORKLOAD = 2;
    static final int DEADLOCK = 3;
    static final int UNFINISHED = 4;
    static final int APPS_FAILED = 5;

    @Parameters(index = "0", paramLabel = "FILE", description = "The workload YAML file.")
    Path file;

    @Option(names = "--ee2-url", paramLabel = "URL",
            description = "EE2's URL: a simulator, or a proxy in front of one. Without it the command "
                    + "starts its own simulator on a free loopback port for the run.")
    URI ee2Url;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Workload w;
        try {
            w = Workload.load(file);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("ee2-sim workload: no such file: " + file);
            return BAD_WORKLOAD;
        } catch (IllegalArgumentException | IOException e) {
            spec.commandLine().getErr().println("ee2-sim workload: " + e.getMessage());
            return BAD_WORKLOAD;
        }
        WorkloadReport report;
        try {
            report = ee2Url != null ? new WorkloadRunner(ee2Url).run(w) : runOnOwnSimulator(w);
        } catch (IOException e) {
            spec.commandLine().getErr().println("ee2-sim workload: " + e.getMessage());
            return UNREACHABLE;
        }
        spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
        spec.commandLine().getOut().flush();
        return exitCode(report);
    }

    private static WorkloadReport runOnOwnSimulator(Workload w) throws IOException, InterruptedException {
        try (Ee2Simulator sim = Ee2Simulator.builder().build().start()) {
            return new WorkloadRunner(sim.url()).run(w);
        }
    }

    private static int exitCode(WorkloadReport report) {
        return switch (report.verdict()) {
            case FINISHED -> report.appsFailedByRefusal().isEmpty() ? FINISHED : APPS_FAILED;
            case DEADLOCK -> DEADLOCK;
            case STALLED, TIMEOUT -> UNFINISHED;
        };
    }
}
