package dev.starling.worker.tasks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The tasks the worker may hold: one slot per task, taken before it is asked for and given back when it is
 * settled. How many there are ({@link WorkBuffer#capacity}) changes as the worker learns how long tasks take; a
 * smaller number takes effect as tasks end.
 */
public final class Slots {
    /** Capacity may grow without anyone releasing a slot: waiters look again this often. */
    private static final long RECHECK_MILLIS = 1000;

    private final IntSupplier capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private int held; // guarded by lock

    public Slots(int count) {
        this(() -> count);
    }

    public Slots(IntSupplier capacity) {
        this.capacity = capacity;
    }

    /** Waits until at least one slot is free, then takes every free slot; returns how many it took. */
    public int acquireFree() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            int free;
            while ((free = capacity.getAsInt() - held) <= 0) {
                released.await(RECHECK_MILLIS, TimeUnit.MILLISECONDS);
            }
            held += free;
            return free;
        } finally {
            lock.unlock();
        }
    }

    /** Takes one slot if one is free. */
    public boolean tryAcquire() {
        lock.lock();
        try {
            if (held < capacity.getAsInt()) {
                held++;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    public void release(int count) {
        if (count <= 0) {
            return;
        }
        lock.lock();
        try {
            held = Math.max(0, held - count);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
