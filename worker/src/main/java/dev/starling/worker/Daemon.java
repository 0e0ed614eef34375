package dev.starling.worker;

import dev.starling.worker.session.ProtocolTooOldException;
import dev.starling.worker.session.RefusedException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The worker as a process, once its configuration is checked: takes the work dir, sets up the logs and the live
 * display, runs the worker until it is stopped (a shutdown hook stops it cleanly on SIGTERM or Ctrl-C), and turns how
 * it ended into an exit code and a line on stderr.
 */
final class Daemon {
    private Daemon() {}

    /**
     * @param workDir the worker's work dir, where the logs go
     * @param claimed what to do once the worker holds its work dir
     * @param logLevel the level the logs are set up with; null: logging is the caller's (tests keep their own)
     * @param err where a failure is told
     */
    static int run(Worker worker, Path workDir, Runnable claimed, WorkerMain.LogLevel logLevel, PrintWriter err) {
        try {
            worker.claimWorkDir(); // private to its owner, and to this worker alone, before the logs go in
        } catch (UncheckedIOException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        claimed.run();
        if (logLevel == null) {
            return runUntilStopped(worker, err);
        }
        LiveDisplay display = LiveDisplay.isInteractive() ? LiveDisplay.start(System.err, worker::status) : null;
        Logs.configure(Logs.level(logLevel), workDir.resolve("logs"),
                display != null ? display::print : text -> {
                    System.err.print(text);
                    System.err.flush();
                });
        try {
            return runUntilStopped(worker, err);
        } finally {
            if (display != null) {
                display.close();
            }
        }
    }

    private static int runUntilStopped(Worker worker, PrintWriter err) {
        Thread hook = new Thread(() -> stopOnExit(worker), "starling-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            worker.run();
            return ExitCodes.OK;
        } catch (ProtocolTooOldException e) {
            err.println("starling worker: the coordinator does not take this worker's protocol: " + e.getMessage()
                    + ". The worker stops until it is updated (exit code 3: systemd does not restart it).");
            return ExitCodes.PROTOCOL_TOO_OLD;
        } catch (RefusedException e) {
            err.println("starling worker: the coordinator refuses this worker: " + e.getMessage());
            return ExitCodes.REFUSED;
        } catch (UncheckedIOException e) {
            err.println("starling worker: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.ERROR;
        } finally {
            removeHook(hook);
        }
    }

    private static void stopOnExit(Worker worker) {
        try {
            worker.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it is what stopped the worker
        }
    }
}
