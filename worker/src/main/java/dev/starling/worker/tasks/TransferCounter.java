package dev.starling.worker.tasks;

import dev.starling.worker.support.ByteSizes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes fetched for one task's inputs, by where they came from (TaskResult.transfer). A blob fetched
 * once for several tasks counts for the task that caused the fetch.
 */
public final class TransferCounter {
    private final AtomicLong fromPeers = new AtomicLong();
    private final AtomicLong fromCoordinator = new AtomicLong();

    public void add(boolean coordinator, long bytes) {
        (coordinator ? fromCoordinator : fromPeers).addAndGet(bytes);
    }

    public long bytesFromPeers() {
        return fromPeers.get();
    }

    public long bytesFromCoordinator() {
        return fromCoordinator.get();
    }

    @Override
    public String toString() {
        return ByteSizes.format(bytesFromPeers()) + " from peers, " + ByteSizes.format(bytesFromCoordinator())
                + " from the coordinator";
    }
}
