package dev.starling.worker.support;

import java.time.Duration;

/**
 * A loop on a thread of its own (polling, heartbeating, reporting). {@link #stop} raises its stop flag
 * and interrupts it, which also cancels a call it is making; subclasses check {@link #isStopping()}
 * and leave quietly, keeping the thread's interrupt flag set.
 */
public abstract class Loop implements Runnable {
    private final String name;
    private volatile boolean stopping;
    private Thread thread;

    protected Loop(String name) {
        this.name = name;
    }

    public final synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(name + " started already");
        }
        thread = new NamedThreads("starling-" + name).newThread(this);
        thread.start();
    }

    protected final boolean isStopping() {
        return stopping;
    }

    /** Ends the loop from inside: after a fatal failure, or when its thread was interrupted. */
    protected final void leave() {
        stopping = true;
    }

    /** Asks the loop to stop and waits up to {@code timeout} for it to end; true when it has. */
    public final boolean stop(Duration timeout) throws InterruptedException {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return true;
        }
        t.interrupt();
        t.join(Math.max(1, timeout.toMillis()));
        return !t.isAlive();
    }

    /** Sleeps unless interrupted; false (with the interrupt flag kept) when the loop should end. */
    protected static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
