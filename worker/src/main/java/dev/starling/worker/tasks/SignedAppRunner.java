package dev.starling.worker.tasks;

import dev.starling.worker.wasm.DeployedTask;
import dev.starling.worker.wasm.ErrorText;
import dev.starling.worker.wasm.SignedApps;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a deployed app's task whose signature does not verify ({@link SignedApps}) before anything of it is fetched
 * or run: the task fails with the reason, which the coordinator records as the replica's error, and the worker goes on.
 * Other tasks pass through.
 */
public final class SignedAppRunner implements TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(SignedAppRunner.class);

    private final SignedApps signed;
    private final TaskRunner next;

    SignedAppRunner(SignedApps signed, TaskRunner next) {
        this.signed = signed;
        this.next = next;
    }

    /** {@code next}, behind the check when the worker was given the project's keys. */
    public static TaskRunner of(SignedApps signed, TaskRunner next) {
        return signed.checks() ? new SignedAppRunner(signed, next) : next;
    }

    @Override
    public TaskOutcome run(RunningTask running) {
        if (DeployedTask.isDeployed(running.task().getApp())) {
            String problem = signed.problem(running.task());
            if (problem != null) {
                String message = ErrorText.clean("refused to run " + running.task().getApp() + ": " + problem, 2000);
                log.warn("{}: {}", running, message);
                return new TaskOutcome.Failed(message, Duration.ZERO);
            }
        }
        return next.run(running);
    }
}
