package dev.starling.worker.tasks;

import dev.starling.proto.v1.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Results waiting to be reported, oldest first. A result stays here until the coordinator has
 * acknowledged it: sending it does not take it out, only {@link #settle} does, which also runs what was to
 * happen then (releasing the pins on the blobs the result names).
 */
public final class PendingResults {
    private final WatchedMap<TaskResult> results = new WatchedMap<>();
    private final Map<Long, Runnable> onSettled = new ConcurrentHashMap<>();
    private final LongConsumer settled;

    PendingResults() {
        this(resultId -> {});
    }

    /** @param settled hears of every result id settled (the journal then forgets the task) */
    public PendingResults(LongConsumer settled) {
        this.settled = settled;
    }

    public void add(TaskResult result) {
        results.put(result.getResultId(), result);
    }

    /** Adds a result; {@code whenSettled} runs once it is settled. */
    void add(TaskResult result, Runnable whenSettled) {
        onSettled.put(result.getResultId(), whenSettled);
        results.put(result.getResultId(), result);
    }

    /**
     * Waits until a result is waiting, then returns the oldest ones, up to {@code maxCount} results and
     * {@code maxBytes} serialized bytes (but always at least one). They stay pending.
     */
    public List<TaskResult> awaitBatch(int maxCount, long maxBytes) throws InterruptedException {
        List<TaskResult> batch = new ArrayList<>();
        long bytes = 0;
        for (TaskResult result : results.awaitValues()) {
            long size = result.getSerializedSize();
            if (batch.size() == maxCount || (!batch.isEmpty() && bytes + size > maxBytes)) {
                break;
            }
            batch.add(result);
            bytes += size;
        }
        return batch;
    }

    /** The result was acknowledged (or is no longer wanted): forget it. */
    public void settle(long resultId) {
        results.remove(resultId, null);
        Runnable then = onSettled.remove(resultId);
        if (then != null) {
            then.run();
        }
        settled.accept(resultId);
    }

    /** Waits until nothing is pending, up to {@code timeout}; true when nothing is. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        return results.awaitEmpty(timeout);
    }

    public int size() {
        return results.size();
    }
}
