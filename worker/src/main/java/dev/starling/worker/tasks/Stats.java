package dev.starling.worker.tasks;

import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts what became of the worker's tasks, for the periodic summary line and {@code starling worker status}. */
public final class Stats {
    private static final Logger log = LoggerFactory.getLogger(Stats.class);

    private final Clock clock;
    private LocalDate today; // guarded by this
    private long reportedToday; // guarded by this

    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong givenBack = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong inputUnavailable = new AtomicLong();
    private final IntSupplier running;
    private final IntSupplier unreported;
    private final Supplier<String> blobs;
    private String lastSummary = "";

    /** @param blobs what the data plane has to say (cache, bytes moved) */
    Stats(IntSupplier running, IntSupplier unreported, Supplier<String> blobs) {
        this(running, unreported, blobs, Clock.systemDefaultZone());
    }

    /** @param clock its zone says when a day begins */
    public Stats(IntSupplier running, IntSupplier unreported, Supplier<String> blobs, Clock clock) {
        this.clock = clock;
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

    void parked() {
        parked.incrementAndGet();
    }

    void inputUnavailable() {
        inputUnavailable.incrementAndGet();
    }

    /** The coordinator accepted a successful result. */
    public synchronized void reported() {
        rollOver();
        reportedToday++;
    }

    /** Successful results the coordinator accepted since midnight (or since the worker started, if later). */
    public synchronized long reportedToday() {
        rollOver();
        return reportedToday;
    }

    private void rollOver() {
        LocalDate now = LocalDate.now(clock);
        if (!now.equals(today)) {
            today = now;
            reportedToday = 0;
        }
    }

    public String summary() {
        return "tasks done " + succeeded.get() + ", failed " + failed.get() + ", abandoned " + abandoned.get()
                + ", given back " + givenBack.get() + ", kept to resume " + parked.get() + ", inputs unavailable "
                + inputUnavailable.get() + "; running "
                + running.getAsInt() + ", results to report " + unreported.getAsInt() + "; " + blobs.get();
    }

    /** Logs the summary when it changed since the last time (an idle worker stays quiet). */
    public synchronized void logIfChanged() {
        String summary = summary();
        if (!summary.equals(lastSummary)) {
            log.info("Summary: {}", summary);
            lastSummary = summary;
        }
    }
}
