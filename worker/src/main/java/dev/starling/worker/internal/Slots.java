package dev.starling.worker.internal;

import java.util.concurrent.Semaphore;

/** One permit per core: a task holds one from before it is asked for until it has finished. */
final class Slots {
    private final Semaphore permits;

    Slots(int cores) {
        this.permits = new Semaphore(cores);
    }

    /** Waits until at least one slot is free, then takes every free slot; returns how many it took. */
    int acquireFree() throws InterruptedException {
        permits.acquire();
        return 1 + permits.drainPermits();
    }

    /** Takes one slot if one is free. */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    void release(int count) {
        if (count > 0) {
            permits.release(count);
        }
    }
}
