package dev.starling.coordinator.host;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Wakes the long polls of hosts whose volunteer changed their controls on this coordinator (pause, resume,
 * preferences), so that a paused worker waiting in RequestWork hears "resume" at once rather than when its wait
 * ends; a long poll waiting for work ends at its next look for work (within {@code starling.dispatch.recheck-interval})
 * once its host's controls changed, so that an idle worker hears new preferences then. Changes are a person's clicks,
 * rare beside the calls: one monitor serves them all. On other coordinators the wait simply runs out (at most
 * {@code starling.dispatch.max-wait}).
 */
@Component
public class ControlSignal {
    private final Map<Long, Long> changedAt = new HashMap<>(); // guarded by this: host -> generation of its last change
    private long generation; // guarded by this

    /** The controls of these hosts changed. */
    public synchronized void changed(Collection<Long> hostIds) {
        generation++;
        hostIds.forEach(id -> changedAt.put(id, generation));
        notifyAll();
    }

    /** A value to pass to {@link #changedSince}: read it before a call starts waiting. */
    public synchronized long generation() {
        return generation;
    }

    /** Whether the host's controls changed after {@code since} was read ({@link #generation}). */
    public synchronized boolean changedSince(long hostId, long since) {
        return changedAt.getOrDefault(hostId, 0L) > since;
    }

    /** Waits up to {@code timeout} for a change of the host's controls; true when one came. */
    public synchronized boolean await(long hostId, Duration timeout) throws InterruptedException {
        long since = generation;
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (changedAt.getOrDefault(hostId, 0L) <= since) {
            long left = giveUp - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Duration d = Duration.ofNanos(left);
            wait(Math.max(1, d.toMillis()));
        }
        return true;
    }
}
