package us.kbase.ee2proxy.sim;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ee2-sim.jar}: {@code serve} an EE2 + auth2 simulator, or run a {@code workload} against any EE2 URL. */
@Command(name = "ee2-sim", mixinStandardHelpOptions = true,
        subcommands = {SimMain.Serve.class, WorkloadCommand.class, CompareCommand.class},
        description = "An EE2 + auth2 simulator with HTCondor-like slots and KBParallel-style parents.")
public final class SimMain implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimMain()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve EE2 (POST any path) and auth2 (/api/V2/token, /api/V2/me, legacy login) on one port.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--port", required = true, description = "Port to listen on (0: a free one).")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--slots", defaultValue = "10", description = "Per-user running limit (default ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--config", description = "YAML: tokens, app profiles, capacity, speed, runners.")
        java.nio.file.Path config;

        @Option(names = "--io-threads", defaultValue = "0",
                description = "Netty event loop threads (default 0: twice the cores).")
        int ioThreads;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Ee2Simulator.Builder b = Ee2Simulator.builder().host(host).port(port).slots(slots).ioThreads(ioThreads);
            if (config != null) {
                try {
                    ServeConfig.load(config).applyTo(b);
                } catch (IOException | IllegalArgumentException e) {
                    spec.commandLine().getErr().println("ee2-sim serve: " + config + ": " + e.getMessage());
                    return 2;
                }
            }
            Ee2Simulator sim;
            try {
                sim = b.build().start();
            } catch (Exception e) {
                // Netty rethrows java.net.BindException unchecked: the port is taken or not ours.
                spec.commandLine().getErr().println("ee2-sim serve: cannot listen on " + host + ":" + port + ": "
                        + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                sim.close();
                stopped.countDown();
            }, "ee2sim-shutdown"));
            System.out.println("ee2-sim listening on " + sim.url());
            System.out.flush();
            stopped.await();
            return 0;
        }
    }
}
