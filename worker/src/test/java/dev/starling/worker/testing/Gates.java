package dev.starling.worker.testing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** Named gates that {@link TestApp} tasks wait at, so tests decide when a task ends. */
public final class Gates {
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    public void open(String name) {
        gate(name).countDown();
    }

    public boolean isOpen(String name) {
        return gate(name).getCount() == 0;
    }

    public boolean hasStarted(String name) {
        return started.contains(name);
    }

    public boolean wasCancelled(String name) {
        return cancelled.contains(name);
    }

    void markStarted(String name) {
        started.add(name);
    }

    void markCancelled(String name) {
        cancelled.add(name);
    }

    void awaitOpen(String name) throws InterruptedException {
        gate(name).await();
    }

    private CountDownLatch gate(String name) {
        return gates.computeIfAbsent(name, n -> new CountDownLatch(1));
    }
}
