package dev.starling.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code starling-cli.jar}: the researcher's command line, {@code ./starling app|blob|job ...}. Built by
 * {@link #commandLine}, which takes the writers and the {@link Environment}, so that each command runs in-process in
 * a test.
 */
@Command(
        name = "starling",
        mixinStandardHelpOptions = true,
        versionProvider = StarlingCli.Version.class,
        subcommands = {StarlingCli.AppGroup.class, StarlingCli.BlobGroup.class, StarlingCli.JobGroup.class},
        description = "Starling for researchers: run a WebAssembly app locally in the workers' sandbox, deploy it,"
                + " upload inputs, submit and follow jobs, fetch their outputs. Diagnostics go to stderr, results to"
                + " stdout.",
        footer = {
            "",
            "Examples:",
            "  starling app run collatz.wasm 1 1000",
            "  starling app deploy collatz.wasm --manifest collatz.json",
            "  starling job submit --app collatz --sweep-from 1 --sweep-to 1000000 \\",
            "      --sweep-step 1000 --arg {from} --arg {to} --watch",
            "  starling job outputs 12 -o collatz.txt",
            "",
            "The coordinator and the key: --api-url and --api-key, else $STARLING_API_URL",
            "and $STARLING_API_KEY, else api-url and api-key in the config file",
            "(~/.config/starling/cli.properties). See docs/writing-an-app.md.",
            "",
            ExitCodes.HELP,
        })
public final class StarlingCli implements Runnable {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int exitCode = commandLine(out, err, Environment.system()).execute(args);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }

    /** The command line with this process's environment. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, Environment.system());
    }

    /** The command line, writing results to {@code out} and diagnostics to {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Environment environment) {
        CommandLine cmd = new CommandLine(new StarlingCli(), new Factory(environment))
                .setOut(out)
                .setErr(err)
                .setExpandAtFiles(false) // '@' starts no file of arguments: a job file is named as it is
                .setParameterExceptionHandler(StarlingCli::invalidInput)
                .setExecutionExceptionHandler((e, c, parsed) -> failed(e, c))
                .setUsageHelpAutoWidth(true);
        CommandLine run = cmd.getSubcommands().get("app").getSubcommands().get("run");
        run.setStopAtPositional(true); // everything after the module is the module's: its arguments, options included
        setExitCodes(cmd);
        return cmd;
    }

    private static void setExitCodes(CommandLine cmd) {
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.INVALID_INPUT);
        cmd.getCommandSpec().exitCodeOnExecutionException(ExitCodes.ERROR);
        cmd.getSubcommands().values().forEach(StarlingCli::setExitCodes);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: app, blob or job");
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

    /** A command ended with a {@link CliException} (its code and message) or failed unexpectedly (a bug: the trace). */
    private static int failed(Exception e, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getOut().flush();
        if (e instanceof CliException cli) {
            err.println(name + ": " + cli.getMessage());
            err.flush();
            return cli.exitCode();
        }
        err.println(name + ": failed unexpectedly: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.ERROR;
    }

    static String version() {
        String version = StarlingCli.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Starling command line " + version()};
        }
    }

    /** Makes the commands, giving those that take one the {@link Environment}. */
    private record Factory(Environment environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Environment.class).newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** A group of commands: named alone, it says which there are. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new ParameterException(spec.commandLine(), "name a command: "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    @Command(name = "app", mixinStandardHelpOptions = true,
            subcommands = {AppRunCommand.class, AppDeployCommand.class, AppListCommand.class, AppKeygenCommand.class,
                AppSignCommand.class, AppSignKeyCommand.class},
            description = "Apps: run a WebAssembly module locally as a worker would, sign and deploy it, list the apps;"
                    + " make and rotate the project's signing key.")
    static final class AppGroup extends Group {}

    @Command(name = "blob", mixinStandardHelpOptions = true, subcommands = BlobUploadCommand.class,
            description = "Blobs: files that jobs read, named by their SHA-256.")
    static final class BlobGroup extends Group {}

    @Command(name = "job", mixinStandardHelpOptions = true,
            subcommands = {JobSubmitCommand.class, JobWatchCommand.class, JobOutputsCommand.class,
                JobCancelCommand.class},
            description = "Jobs: submit, watch, fetch the outputs, cancel.")
    static final class JobGroup extends Group {}
}
