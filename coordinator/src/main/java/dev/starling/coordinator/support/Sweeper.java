package dev.starling.coordinator.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A background loop that does one step of work at a time (one short transaction) until a step finds
 * nothing, then waits for {@link #nudge()} or the interval. Steps claim their rows with
 * {@code SKIP LOCKED}, so sweepers of several coordinators on one database never do one step twice.
 */
public abstract class Sweeper implements SmartLifecycle {
    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nudged = lock.newCondition();
    private boolean pending;
    private volatile boolean running;
    private Thread thread;

    protected Sweeper(String name, Duration interval) {
        this.name = name;
        this.interval = interval;
    }

    /** Does one bounded piece of work in its own transaction; returns whether there was any. */
    protected abstract boolean step();

    /** Asks for a sweep now rather than at the next interval (e.g. after a commit that created work). */
    public void nudge() {
        lock.lock();
        try {
            pending = true;
            nudged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        Duration backoff = interval;
        while (running) {
            boolean worked;
            try {
                worked = step();
                backoff = interval;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("{} failed; retrying in {} ms", name, backoff.toMillis(), e);
                worked = false;
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                        ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
            if (!worked) {
                await(backoff);
            }
        }
    }

    private void await(Duration timeout) {
        lock.lock();
        try {
            if (!pending && running) {
                nudged.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            pending = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().name("starling-" + name).daemon().start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        nudge();
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Sweepers stop before the gRPC server and the database go away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}
