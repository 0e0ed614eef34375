package dev.starling.worker.control;

import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether tasks may compute now, and why not: task threads wait here, in the calls apps make between steps,
 * while computing is suspended (paused, not lost: a suspended task goes on where it stopped), and before they
 * start while there is no room in memory. Whoever watches the machine sets the state.
 */
public final class ComputeGate {
    private static final Logger log = LoggerFactory.getLogger(ComputeGate.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile String suspended; // written under lock; null: computing
    private String noRoom; // guarded by lock; null: tasks may start
    private String watched; // guarded by lock: why the machine's watcher suspends; null: it does not
    private volatile String paused; // written under lock: why the volunteer paused this host on the web; null: not

    /** Suspends computing for {@code reason}, or resumes it when empty (unless the volunteer paused the host). */
    public void suspend(Optional<String> reason) {
        lock.lock();
        try {
            watched = reason.orElse(null);
            update();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses computing because the volunteer paused this host on the web ({@code reason}), or lifts that pause when
     * empty; it holds over whatever the machine's watcher says.
     */
    public void pause(Optional<String> reason) {
        lock.lock();
        try {
            paused = reason.orElse(null);
            update();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the volunteer paused this host on the web. */
    public boolean isPaused() {
        return paused != null;
    }

    /** Called holding the lock. */
    private void update() {
        String next = paused != null ? paused : watched;
        if (next == null && suspended != null) {
            log.info("Resuming tasks");
        } else if (next != null && suspended == null) {
            log.info("Suspending tasks: {}", next);
        } else if (next != null && !next.equals(suspended)) {
            log.debug("Tasks stay suspended: {}", next);
        }
        suspended = next;
        changed.signalAll();
    }

    /** Holds back tasks that have not started computing, for {@code reason}; lets them go when empty. */
    public void holdStarts(Optional<String> reason) {
        lock.lock();
        try {
            String next = reason.orElse(null);
            if (next != null && noRoom == null) {
                log.info("No task starts for now: {}", next);
            } else if (next == null && noRoom != null) {
                log.info("Tasks may start again: memory is free");
            }
            noRoom = next;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isSuspended() {
        return suspended != null;
    }

    /** Why tasks do not compute, or do not start: empty when they do. */
    public Optional<String> reason() {
        lock.lock();
        try {
            return Optional.ofNullable(suspended != null ? suspended : noRoom);
        } finally {
            lock.unlock();
        }
    }

    /** Waits while computing is suspended; true when it had to wait. */
    public boolean awaitComputing() throws InterruptedException {
        if (suspended == null) {
            return false; // the common case, on every call an app makes between steps: no lock
        }
        lock.lockInterruptibly();
        try {
            boolean waited = false;
            while (suspended != null) {
                waited = true;
                changed.await();
            }
            return waited;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a task may start: computing is not suspended and there is room in memory. */
    public void awaitStart() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (suspended != null || noRoom != null) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }
}
