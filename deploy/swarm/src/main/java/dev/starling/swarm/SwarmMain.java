package dev.starling.swarm;

import dev.starling.swarm.bench.BenchCommand;
import dev.starling.swarm.bench.DistributionBenchCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.ParameterException;

/** {@code starling-swarm.jar}: the load generator ({@code swarm}) and the benchmarks ({@code bench}, {@code bench-p2p}). */
@Command(
        name = "starling",
        mixinStandardHelpOptions = true,
        versionProvider = SwarmMain.Version.class,
        subcommands = {SwarmCommand.class, BenchCommand.class, DistributionBenchCommand.class},
        description = "Measures a Starling coordinator with simulated hosts speaking the real worker protocol.",
        footer = {
            "",
            "Examples:",
            "  starling swarm --coordinator localhost:9090 --api http://localhost:8080 --hosts 1000 --submit 100000",
            "  starling bench --hosts 1000 --duration 60s",
            "  starling bench-p2p --workers 6 --size 64MB",
        })
public final class SwarmMain implements Runnable {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        int exitCode = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
        System.exit(exitCode);
    }

    /** The command line with both subcommands, writing results to {@code out} and diagnostics to {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new SwarmMain())
                .setParameterExceptionHandler(SwarmMain::invalidInput)
                .setExecutionExceptionHandler((e, c, parsed) -> {
                    c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + e);
                    e.printStackTrace(c.getErr());
                    return ExitCodes.FAILED;
                })
                .setOut(out)
                .setErr(err);
        cmd.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.INVALID_INPUT));
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.INVALID_INPUT);
        return cmd;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: swarm, bench or bench-p2p");
    }

    /** A wrong command line: what is wrong and where help is, without the whole usage text. */
    private static int invalidInput(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return ExitCodes.INVALID_INPUT;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SwarmMain.class.getPackage().getImplementationVersion();
            return new String[] {"Starling swarm " + (version != null ? version : "dev")};
        }
    }
}
