package dev.starling.worker.support;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code <prefix>-<n>}, so that thread dumps and log lines say what each one does. */
public final class NamedThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    public NamedThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable body) {
        Thread thread = new Thread(body, prefix + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
