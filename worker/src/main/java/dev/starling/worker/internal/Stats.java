package dev.starling.worker.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts what became of the worker's tasks, for the periodic summary line. */
final class Stats {
    private static final Logger log = LoggerFactory.getLogger(Stats.class);

    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong givenBack = new AtomicLong();
    private final AtomicLong inputUnavailable = new AtomicLong();
    private final IntSupplier running;
    private final IntSupplier unreported;
    private final Supplier<String> blobs;
    private String lastSummary = "";

    /** @param blobs what the data plane has to say (cache, bytes moved) */
    Stats(IntSupplier running, IntSupplier unreported, Supplier<String> blobs) {
        this.running = running;
        this.unreported = unreported;
        this.blobs = blobs;
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

    void inputUnavailable() {
        inputUnavailable.incrementAndGet();
    }

    String summary() {
        return "tasks done " + succeeded.get() + ", failed " + failed.get() + ", abandoned " + abandoned.get()
                + ", given back " + givenBack.get() + ", inputs unavailable " + inputUnavailable.get() + "; running "
                + running.getAsInt() + ", results to report " + unreported.getAsInt() + "; " + blobs.get();
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
