package dev.starling.worker;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The worker's logging: java.util.logging behind SLF4J, set up here rather than from a file. One line per event,
 * {@code 2025-06-02T12:00:00.000+02:00 [thread] LEVEL Logger - message}, on stderr (through the live display when
 * there is one) and in {@code <work-dir>/logs/worker.0.log}, which rotates at 10 MiB and keeps five files.
 */
final class Logs {
    static final int FILE_BYTES = 10 << 20;
    static final int FILES = 5;
    /**
     * Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. Set by
     * {@link #configure}, not at class initialization, which would start java.util.logging before
     * {@link #keepOpenUntilExit} can choose its manager.
     */
    private static Logger grpcChannel;

    private Logs() {}

    /**
     * Must run before anything logs: keeps the JDK from closing the log handlers while the worker still logs
     * its shutdown (the JDK resets logging in a shutdown hook of its own).
     */
    static void keepOpenUntilExit() {
        System.setProperty("java.util.logging.manager", Manager.class.getName());
    }

    /** How much the worker logs: slf4j's names for java.util.logging's levels. */
    static Level level(WorkerMain.LogLevel level) {
        return switch (level) {
            case ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.FINE;
            case TRACE -> Level.FINEST;
        };
    }

    /**
     * Sends the worker's own lines at {@code level} and up, and other libraries' warnings, to {@code console} and to
     * rotating files in {@code logDir}; when the files cannot be written the console says so and the worker goes on.
     */
    static void configure(Level level, Path logDir, Consumer<String> console) {
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof Manager m) {
            m.resetNow();
        } else {
            manager.reset();
        }
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        Logger.getLogger("dev.starling").setLevel(level);
        // gRPC logs a coordinator name that does not resolve with a stack trace on every retry; the worker says it
        // once, with a hint (CallFailures)
        grpcChannel = Logger.getLogger("io.grpc.internal.ManagedChannelImpl");
        grpcChannel.setLevel(Level.SEVERE);
        Handler terminal = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    console.accept(getFormatter().format(record));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        terminal.setFormatter(new LineFormat());
        terminal.setLevel(Level.ALL);
        root.addHandler(terminal);
        try {
            Files.createDirectories(logDir);
            String pattern = logDir.toAbsolutePath().toString().replace("%", "%%") + File.separator + "worker.%g.log";
            FileHandler file = new FileHandler(pattern, FILE_BYTES, FILES, true);
            file.setFormatter(new LineFormat());
            file.setLevel(Level.ALL);
            file.setEncoding("UTF-8");
            root.addHandler(file);
        } catch (IOException | RuntimeException e) {
            console.accept("starling worker: cannot write log files in " + logDir + " (" + e.getMessage()
                    + "); logging to the console only" + System.lineSeparator());
        }
    }

    /** One line per event, the way the worker always wrote them. */
    static final class LineFormat extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
                .withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord record) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            StringBuilder line = new StringBuilder()
                    .append(TIME.format(Instant.ofEpochMilli(record.getMillis()))).append(" [")
                    .append(Thread.currentThread().getName()).append("] ") // handlers run on the logging thread
                    .append(name(record.getLevel())).append(' ')
                    .append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ")
                    .append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }

        private static String name(Level level) {
            int v = level.intValue();
            return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN"
                    : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }
    }

    /** A LogManager that only the worker resets (see {@link #keepOpenUntilExit}). */
    public static final class Manager extends LogManager {
        private volatile boolean resetting;

        @Override
        public void reset() {
            if (resetting) {
                super.reset();
            }
        }

        void resetNow() {
            resetting = true;
            try {
                super.reset();
            } finally {
                resetting = false;
            }
        }
    }
}
