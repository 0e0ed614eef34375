package dev.starling.worker.session;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's stop signal: raised by a shutdown request or by a fatal failure of any component, awaited
 * by the thread that runs the worker.
 */
public final class Lifecycle {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /** Asks the worker to stop. Idempotent. */
    public void stop() {
        stop.countDown();
    }

    /** Stops the worker because of {@code cause}; the first cause wins and is what the worker exits with. */
    public void fail(RuntimeException cause) {
        failure.compareAndSet(null, cause);
        stop();
    }

    public boolean isStopping() {
        return stop.getCount() == 0;
    }

    /** The fatal failure that stopped the worker, if one did. */
    public RuntimeException failure() {
        return failure.get();
    }

    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** Waits up to {@code timeout}; true when the worker is stopping. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stop.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
