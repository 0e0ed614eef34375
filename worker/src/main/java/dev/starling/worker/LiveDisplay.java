package dev.starling.worker;

import dev.starling.worker.status.Status;
import dev.starling.worker.status.StatusView;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * In an interactive terminal, a few lines under the log that say, once a second, what the worker is doing: a
 * line per task with a progress bar, and whether tasks compute or why not. Log lines are printed above it.
 */
final class LiveDisplay implements AutoCloseable {
    private static final int MAX_TASK_LINES = 8;

    private final PrintStream terminal;
    private final Supplier<Status> status;
    private final int width;
    private final Thread thread;
    private int drawn; // guarded by this: lines of the block on screen
    private volatile boolean closed;

    private LiveDisplay(PrintStream terminal, Supplier<Status> status, int width) {
        this.terminal = terminal;
        this.status = status;
        this.width = width;
        this.thread = Thread.ofPlatform().daemon().name("starling-display").unstarted(this::loop);
    }

    /** Whether the worker runs in an interactive terminal (not under a service manager, not piped). */
    static boolean isInteractive() {
        var console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try { // Java 22+: a console may exist with redirected streams; it says whether it is a terminal
            Method isTerminal = console.getClass().getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: System.console() is null unless both ends are a terminal
        }
    }

    static LiveDisplay start(PrintStream terminal, Supplier<Status> status) {
        int width = 100;
        try {
            width = Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")));
        } catch (NumberFormatException e) {
            // the default will do
        }
        LiveDisplay display = new LiveDisplay(terminal, status, width);
        display.thread.start();
        return display;
    }

    /** Prints log text above the block. */
    synchronized void print(String text) {
        clear();
        terminal.print(text);
        draw();
    }

    private void loop() {
        while (!closed) {
            synchronized (this) {
                clear();
                draw();
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void clear() {
        if (drawn > 0) {
            terminal.print("\033[" + drawn + "F\033[J"); // to the block's first line, then erase down
            drawn = 0;
        }
    }

    private void draw() {
        if (closed) {
            return;
        }
        Status s;
        try {
            s = status.get();
        } catch (RuntimeException e) {
            return;
        }
        List<String> lines = new ArrayList<>();
        String state = s.suspended().map(r -> "suspended: " + r)
                .orElse("computing on " + s.cores() + (s.cores() == 1 ? " core" : " cores"));
        lines.add(String.format(Locale.ROOT, "-- %d task%s held, %s; %d reported today%s%s", s.tasks().size(),
                s.tasks().size() == 1 ? "" : "s", state, s.reportedToday(),
                Double.isNaN(s.credit()) ? "" : String.format(Locale.ROOT, ", credit %.2f", s.credit()),
                s.failure().isPresent() ? "; coordinator not reachable" : ""));
        for (int i = 0; i < Math.min(MAX_TASK_LINES, s.tasks().size()); i++) {
            lines.add(StatusView.line(s.tasks().get(i), s.suspended().isPresent()));
        }
        if (s.tasks().isEmpty() && s.suspended().isEmpty()) {
            s.noWork().ifPresent(why -> lines.add("  no work: " + why));
        }
        if (s.tasks().size() > MAX_TASK_LINES) {
            lines.add("  ... and " + (s.tasks().size() - MAX_TASK_LINES) + " more");
        }
        for (String line : lines) {
            terminal.print((line.length() > width - 1 ? line.substring(0, width - 1) : line) + "\n");
        }
        terminal.flush();
        drawn = lines.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        thread.interrupt();
        clear();
        terminal.flush();
    }
}
