package dev.starling.swarm.internal;

import dev.starling.swarm.Swarm;
import io.grpc.Context;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the simulated hosts of one swarm share: the options, the counters, the job the swarm submitted (0 for
 * none) and the stop signal. Stopping sets a flag, wakes every pause, and cancels {@link #polls()}, the gRPC
 * context every long poll runs in, so that waiting RequestWork calls end at once; reports are not in it and
 * finish.
 */
final class HostContext {
    final Swarm.Options options;
    final Metrics metrics;
    final long jobId;
    /** for the hosts' sign-up as volunteers; null without a REST address (the hosts register anonymously) */
    final CoordinatorApi api;
    /** what the colluding hosts share (none collude when its strategy is NONE) */
    final Collusion collusion;
    private final Context.CancellableContext polls = Context.ROOT.withCancellation();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Set<String> noted = ConcurrentHashMap.newKeySet();
    private final Consumer<String> progress;
    private volatile boolean stopping;

    HostContext(Swarm.Options options, Metrics metrics, long jobId, CoordinatorApi api) {
        this(options, metrics, jobId, api, new Collusion(Swarm.Strategy.NONE, options.quorum(), new java.util.BitSet()));
    }

    HostContext(Swarm.Options options, Metrics metrics, long jobId, CoordinatorApi api, Collusion collusion) {
        this.options = options;
        this.collusion = collusion;
        this.api = api;
        this.metrics = metrics;
        this.jobId = jobId;
        this.progress = options.progress();
    }

    Context polls() {
        return polls;
    }

    boolean stopping() {
        return stopping;
    }

    void stop() {
        stopping = true;
        stop.countDown();
        polls.cancel(null);
    }

    /**
     * Waits {@code duration} unless the swarm stops first.
     *
     * @return true when the swarm is stopping
     */
    boolean pause(Duration duration) {
        try {
            return stop.await(duration.toNanos(), TimeUnit.NANOSECONDS) || stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Shows {@code message} the first time {@code key} is noted; later ones are only counted elsewhere. */
    void noteOnce(String key, String message) {
        if (noted.add(key)) {
            progress.accept("swarm: " + message);
        }
    }
}
