package dev.starling.worker;

import dev.starling.worker.status.Status;
import dev.starling.worker.status.StatusClient;
import dev.starling.worker.status.StatusView;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code starling worker status}: what the worker running on this work dir is doing, asked over its status socket. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Shows what the worker running with this work dir is doing: each task it holds with a progress bar,"
                    + " whether tasks compute or are suspended and why, results reported today, credit, and whether"
                    + " the coordinator answers. It asks the worker over <work-dir>/status.sock, which only you can"
                    + " reach. Give the same --work-dir (or --config) as the worker's."
        },
        footer = {"", "Exit codes: 0 shown, 1 no worker is running with this work dir."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    private WorkerMain worker;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Status status = StatusClient.read(worker.workDir());
            spec.commandLine().getOut().print(StatusView.render(status, Instant.now()));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("starling worker status: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}
