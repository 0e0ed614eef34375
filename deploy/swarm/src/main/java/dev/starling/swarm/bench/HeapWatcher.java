package dev.starling.swarm.bench;

import dev.starling.swarm.internal.CoordinatorApi;
import dev.starling.swarm.internal.Numbers;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows the bench job's validated count (every second) and, each time it first passes one of the thresholds,
 * measures the coordinator's heap and prints {@code HEAP finished_wu=<n> heap_used_mb=<n> rss_mb=<n>}. The full
 * GC this forces pauses the coordinator for a moment, inside the measuring window when a threshold falls there.
 */
final class HeapWatcher implements AutoCloseable {
    private final CoordinatorApi api;
    private final long jobId;
    private final List<Long> thresholds;
    private final HeapProbe probe;
    private final PrintWriter out;
    private final Consumer<String> progress;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    private int next;

    HeapWatcher(CoordinatorApi api, long jobId, List<Long> thresholds, HeapProbe probe, PrintWriter out,
            Consumer<String> progress) {
        this.api = api;
        this.jobId = jobId;
        this.thresholds = thresholds.stream().sorted().toList();
        this.probe = probe;
        this.out = out;
        this.progress = progress;
        this.thread = new Thread(this::loop, "bench-heap");
        this.thread.setDaemon(true);
    }

    HeapWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        try {
            while (next < thresholds.size() && !closed.await(1, TimeUnit.SECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void check() {
        if (next >= thresholds.size()) {
            return;
        }
        long validated;
        try {
            validated = api.job(jobId).validated();
        } catch (CoordinatorApi.ApiException e) {
            return;
        }
        if (validated < thresholds.get(next)) {
            return;
        }
        while (next < thresholds.size() && thresholds.get(next) <= validated) {
            next++;
        }
        try {
            HeapProbe.Sample sample = probe.sample();
            out.println("HEAP finished_wu=" + validated + " heap_used_mb=" + Numbers.format(sample.heapUsedMb())
                    + " rss_mb=" + Numbers.format(sample.rssMb()));
            out.flush();
        } catch (BenchFailure e) {
            progress.accept("bench: " + e.getMessage());
        }
    }

    /** Stops following; a threshold passed since the last look is measured now. */
    @Override
    public void close() {
        closed.countDown();
        try {
            thread.join(TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        check();
    }
}
