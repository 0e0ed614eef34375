package dev.starling.coordinator.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Group commit for the coordinator's hot paths: requests that arrive while a batch is running are run
 * together as the next batch, in one transaction, by one thread. Under load a batch serves many calls for
 * the cost of one (one claim scan, one lock statement, one commit), and concurrent calls of one
 * coordinator never wait for each other's row locks; when idle a request runs at once, alone.
 *
 * <p>A caller blocks (a virtual thread, cheaply) until its batch has committed. One request must not fail the others
 * of its batch (a worker is a stranger's program): a batch that fails is run again in halves, down to the requests that
 * fail alone, which get the exception; nothing of a failed run was written. That costs nothing while batches succeed,
 * and about 2 log2(n) runs for one bad request in n. A batch that failed because the database cannot be reached
 * fails whole at once: running it again in pieces would only wait longer.
 *
 * @param <Q> a request
 * @param <A> its answer
 */
public final class Batcher<Q, A> implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    private final String name;
    private final int maxBatch;
    private final Duration retryAfter;
    private final Function<List<Q>, List<A>> work;
    private final LinkedBlockingQueue<Pending<Q, A>> queue;
    private volatile boolean running;
    private Thread thread;

    private record Pending<Q, A>(Q request, CompletableFuture<A> answer) {}

    /** A request came after the batcher stopped (the coordinator is shutting down): the caller may retry. */
    public static final class StoppedException extends IllegalStateException {
        StoppedException(String message) {
            super(message);
        }
    }

    /**
     * @param name what a request is, in the plural: names the thread, and the requests in log lines ("reports")
     * @param capacity how many requests may wait for the next batch; more are turned away at once
     * @param retryAfter how long a request turned away is asked to wait
     * @param work runs a batch in one transaction and returns the answers in the order of the requests
     */
    public Batcher(String name, int maxBatch, int capacity, Duration retryAfter, Function<List<Q>, List<A>> work) {
        this.name = name;
        this.maxBatch = maxBatch;
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.retryAfter = retryAfter;
        this.work = work;
    }

    /**
     * Runs the request in the next batch and returns its answer once the batch has committed.
     *
     * @throws OverloadedException when {@code capacity} requests wait already (nothing was run)
     */
    public A run(Q request) throws InterruptedException {
        if (!running) {
            throw new StoppedException(name + " is not running: the coordinator is stopping");
        }
        Pending<Q, A> pending = new Pending<>(request, new CompletableFuture<>());
        if (!queue.offer(pending)) {
            throw new OverloadedException(name, retryAfter);
        }
        try {
            return pending.answer().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void loop() {
        List<Pending<Q, A>> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending<Q, A> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                runBatch(batch, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Requests waiting for the next batch (a gauge: {@code starling.batch.queued}). */
    public int queued() {
        return queue.size();
    }

    /** @param whole whether this is a batch as it was queued, not a part of one run again */
    private void runBatch(List<Pending<Q, A>> batch, boolean whole) {
        List<A> answers;
        try {
            answers = work.apply(batch.stream().map(Pending::request).toList());
        } catch (RuntimeException e) {
            if (batch.size() > 1 && !Transactions.databaseUnavailable(e)) {
                if (whole) {
                    log.warn("A batch of {} {} failed; running it again in halves so that only those that fail alone"
                            + " fail: {}", batch.size(), name, e.toString());
                }
                int half = batch.size() / 2;
                runBatch(batch.subList(0, half), false);
                runBatch(batch.subList(half, batch.size()), false);
            } else {
                if (!whole) {
                    log.warn("One of the {} failed alone: {}", name, e.toString());
                }
                batch.forEach(p -> p.answer().completeExceptionally(e));
            }
            return;
        } catch (Error e) {
            batch.forEach(p -> p.answer().completeExceptionally(e));
            throw e;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).answer().complete(answers.get(i));
        }
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().name("starling-" + name).daemon().start(this::loop);
    }

    /** Finishes what was queued, then stops. */
    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts first and stops last: after the servers have drained their calls, before the database closes. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
