package us.kbase.ee2proxy;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import us.kbase.ee2proxy.cli.CheckPolicyCommand;
import us.kbase.ee2proxy.cli.ExplainCommand;
import us.kbase.ee2proxy.cli.ServeCommand;

/**
 * Entry point of {@code ee2-admission-proxy.jar}: {@code serve} runs the proxy; {@code check-policy}
 * and {@code explain} help admins with the admission policy.
 */
@Command(name = "ee2-admission-proxy", mixinStandardHelpOptions = true, version = "ee2-admission-proxy 0.1.0",
        description = "An admission-control proxy in front of KBase Execution Engine 2.",
        subcommands = {ServeCommand.class, CheckPolicyCommand.class, ExplainCommand.class})
public final class ProxyMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyMain()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. serve --config config/proxy.yaml");
    }
}
