package dev.starling.worker.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts what became of the worker's tasks, for the periodic summary line. */
final class Stats {
    private static final Logger log = LoggerFactory.getLogger(Stats.class);

    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong givenBack = new AtomicLong();
    private final IntSupplier running;
    private final IntSupplier unreported;
    private String lastSummary = "";

    Stats(IntSupplier running, IntSupplier unreported) {
        this.running = running;
        this.unreported = unreported;
    }

    void succeeded() {
        succeeded.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    void abandoned() {
        abandoned.incrementAndGet();
    }

    void givenBack() {
        givenBack.incrementAndGet();
    }

    String summary() {
        return "tasks done " + succeeded.get() + ", failed " + failed.get() + ", abandoned " + abandoned.get()
                + ", given back " + givenBack.get() + "; running " + running.getAsInt() + ", results to report "
                + unreported.getAsInt();
    }

    /** Logs the summary when it changed since the last time (an idle worker stays quiet). */
    synchronized void logIfChanged() {
        String summary = summary();
        if (!summary.equals(lastSummary)) {
            log.info("Summary: {}", summary);
            lastSummary = summary;
        }
    }
}
