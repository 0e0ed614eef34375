package dev.starling.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Follows a job until it ends: on a terminal, one progress bar line redrawn in place; otherwise a plain line whenever
 * the state or the whole percentage changes. Both on stderr; the final state goes to stdout, and the exit code says
 * it. After the first answer, an unreachable coordinator (a restart) is retried for a while before giving up.
 */
final class JobWatcher {
    private final Api api;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean interactive;
    private final int columns;
    private final Duration interval;
    private final Duration retryFor;
    private String shown = "";

    JobWatcher(Api api, PrintWriter out, PrintWriter err, Environment environment, Duration interval, Duration retryFor) {
        this.api = api;
        this.out = out;
        this.err = err;
        this.interactive = environment.interactive();
        this.columns = environment.columns();
        this.interval = interval;
        this.retryFor = retryFor;
    }

    /** Watches the job to its end; the exit code of its final state. */
    int follow(long id) throws InterruptedException {
        String path = "api/v1/jobs/" + id;
        JsonNode job = api.get(path);
        long failingSince = 0;
        while (!isFinal(job.path("state").asString(""))) {
            show(id, job);
            Thread.sleep(interval.toMillis());
            try {
                job = api.get(path);
                failingSince = 0;
            } catch (CliException e) {
                if (e.exitCode() != ExitCodes.UNAVAILABLE) {
                    throw e;
                }
                if (failingSince == 0) {
                    failingSince = System.nanoTime();
                    message(e.getMessage() + "; retrying for up to " + (retryFor.toSeconds() < 120
                            ? retryFor.toSeconds() + " s" : retryFor.toMinutes() + " min"));
                } else if (System.nanoTime() - failingSince > retryFor.toNanos()) {
                    throw e;
                }
            }
        }
        show(id, job);
        if (interactive) {
            err.println();
        }
        err.flush();
        String state = job.path("state").asString();
        out.println("job " + id + " " + state + summary(job));
        out.flush();
        return switch (state) {
            case "SUCCEEDED" -> ExitCodes.OK;
            case "CANCELLED" -> ExitCodes.CANCELLED;
            default -> ExitCodes.FAILED;
        };
    }

    private static boolean isFinal(String state) {
        return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
    }

    private void show(long id, JsonNode job) {
        String state = job.path("state").asString("?");
        JsonNode wu = job.path("workUnits");
        double progress = Math.clamp(job.path("progress").asDouble(0), 0, 1);
        String counts = wu.path("validated").asLong() + "/" + wu.path("total").asLong() + " work units validated"
                + (wu.path("failed").asLong() > 0 ? ", " + wu.path("failed").asLong() + " failed" : "");
        int percent = (int) Math.floor(progress * 100);
        if (!interactive) {
            String line = String.format(Locale.ROOT, "job %d %s %d%% (%s)", id, state, percent, counts);
            if (!line.equals(shown)) {
                err.println(line);
                err.flush();
                shown = line;
            }
            return;
        }
        String head = String.format(Locale.ROOT, "job %d %-9s ", id, state);
        String tail = String.format(Locale.ROOT, " %3d%%  %s", percent, counts);
        int barWidth = Math.clamp(columns - 1 - head.length() - tail.length() - 2, 10, 40);
        int filled = (int) Math.round(progress * barWidth);
        String line = head + "[" + "#".repeat(filled) + "-".repeat(barWidth - filled) + "]" + tail;
        if (line.length() > columns - 1) {
            line = line.substring(0, columns - 1);
        }
        err.print("\r" + line + "\033[K");
        err.flush();
    }

    /** A line of its own above the bar (or among the lines). */
    private void message(String text) {
        err.print(interactive ? "\r\033[K" + text + "\n" : text + "\n");
        err.flush();
    }

    private static String summary(JsonNode job) {
        String error = job.path("error").asString("");
        JsonNode wu = job.path("workUnits");
        String counts = wu.path("validated").asLong() + " of " + wu.path("total").asLong() + " work units validated"
                + (wu.path("failed").asLong() > 0 ? ", " + wu.path("failed").asLong() + " failed" : "");
        return ": " + counts + (error.isEmpty() ? "" : "; " + error.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
    }
}
