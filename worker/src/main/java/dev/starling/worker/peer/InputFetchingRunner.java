package dev.starling.worker.peer;

import dev.starling.proto.v1.BlobSource;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.peer.cache.BlobTooLargeException;
import dev.starling.worker.peer.cache.Pin;
import dev.starling.worker.peer.transfer.BlobFetcher;
import dev.starling.worker.peer.transfer.InputsUnavailableException;
import dev.starling.worker.tasks.RunningTask;
import dev.starling.worker.tasks.TaskOutcome;
import dev.starling.worker.tasks.TaskRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a task's input blobs into the cache, verified, before another runner computes it, and keeps them pinned
 * there until it has: from peers when they have them, from the coordinator when they do not. A task whose inputs
 * nobody could give ends as INPUT_UNAVAILABLE rather than as a compute error, because the app never saw them; a task
 * whose inputs do not fit this worker's cache is given back, because another worker may hold them.
 */
final class InputFetchingRunner implements TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(InputFetchingRunner.class);

    private final BlobFetcher fetcher;
    private final TaskRunner compute;
    private final NetworkHours network;

    InputFetchingRunner(BlobFetcher fetcher, TaskRunner compute, NetworkHours network) {
        this.fetcher = fetcher;
        this.compute = compute;
        this.network = network;
    }

    @Override
    public TaskOutcome run(RunningTask running) {
        List<BlobSource> inputs = running.task().getInputsList();
        if (inputs.isEmpty()) {
            return compute.run(running);
        }
        if (running.isCancelled()) {
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        List<Pin> pins;
        try {
            for (Duration closed = network.closedFor(); !closed.isZero(); closed = network.closedFor()) {
                Thread.sleep(closed); // outside the network hours: the fetch waits (a cancellation ends it)
            }
            pins = fetcher.fetchAll(inputs, running.transfer());
        } catch (InputsUnavailableException e) {
            log.info("{} cannot run: {}", running, e.getMessage());
            return new TaskOutcome.InputUnavailable(e.getMessage(), e.missingBlobIds());
        } catch (BlobTooLargeException e) {
            log.warn("{} is given back: {}", running, e.getMessage());
            return new TaskOutcome.GivenBack(e.getMessage());
        } catch (IOException e) {
            log.warn("{} is given back: the blob cache failed: {}", running, e.getMessage());
            return new TaskOutcome.GivenBack("the worker's blob cache failed: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new TaskOutcome.Failed("malformed task: " + e.getMessage(), Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskOutcome.Cancelled(Duration.ZERO);
        }
        try {
            return compute.run(running);
        } finally {
            pins.forEach(Pin::close);
        }
    }
}
