package dev.starling.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code starling job watch}: {@code GET /api/v1/jobs/{id}} until the job ends. */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Follows a job until it ends: a progress bar on a terminal, a line per change otherwise (both"
                + " on stderr); then prints its final state on stdout and exits with it: 0 SUCCEEDED, 10 FAILED,"
                + " 11 CANCELLED. A finished job's state is printed at once.",
        footer = {
            "",
            "Example:",
            "  starling job watch 12 && starling job outputs 12 -o out.txt",
            "",
            ExitCodes.HELP,
        })
final class JobWatchCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", converter = Converters.JobId.class, description = "The job's id.")
    private long id;

    @Mixin
    private WatchOptions watch;

    @Mixin
    private Connection connection;

    JobWatchCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        watch.check(spec);
        Api api = connection.api(environment, spec).withKey();
        return watch.watcher(api, spec, environment).follow(id);
    }

    /** How often to ask, and how long to wait for a coordinator that stopped answering. */
    static final class WatchOptions {
        @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = Converters.Interval.class,
                order = 50, description = "How often to ask the coordinator (default: ${DEFAULT-VALUE}).")
        Duration interval;

        @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "10m",
                converter = Converters.Interval.class, order = 51,
                description = "How long to keep asking a coordinator that stopped answering (default: ${DEFAULT-VALUE}).")
        Duration retryFor;

        void check(CommandSpec spec) {
            if (interval.isZero()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--interval must be longer than 0");
            }
        }

        JobWatcher watcher(Api api, CommandSpec spec, Environment environment) {
            return new JobWatcher(api, spec.commandLine().getOut(), spec.commandLine().getErr(), environment, interval,
                    retryFor);
        }
    }
}
