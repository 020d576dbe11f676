package us.kbase.ee2proxy.sim;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code workload FILE --ee2-url URL [--json]}: exit 0 when every job finished, 3 on a deadlock verdict. */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = "Run a workload against an EE2 URL (the simulator, or a proxy in front of it).")
final class WorkloadCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The workload YAML file.")
    java.nio.file.Path file;

    @Option(names = "--ee2-url", required = true, description = "EE2's URL (a simulator or a proxy in front of one).")
    java.net.URI ee2Url;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        System.err.println("ee2-sim workload: not built yet");
        return 1;
    }
}
