package dev.starling.worker.tasks;

import dev.starling.proto.v1.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * How many tasks the worker holds (BOINC's work buffer): one per core, plus enough queued to keep every core busy
 * for {@code --work-buffer}, judged by how long tasks take on this machine ({@link AppSpeeds}); none queued before
 * the first task was measured. And whether a task that arrives can finish before its deadline behind the ones held
 * already: one that cannot is given back at once, for a faster or less busy host to take.
 */
public final class WorkBuffer {
    /** The most tasks queued beyond the cores, whatever the estimates say. */
    static final int MAX_QUEUED = 64;

    private final int cores;
    private final Duration buffer;
    private final AppSpeeds speeds;

    public WorkBuffer(int cores, Duration buffer, AppSpeeds speeds) {
        this.cores = cores;
        this.buffer = buffer;
        this.speeds = speeds;
    }

    /** How many tasks to hold: running and queued. */
    public int capacity() {
        if (buffer.isZero()) {
            return cores;
        }
        double perTask = speeds.averageSeconds().orElse(Double.POSITIVE_INFINITY);
        long queued = (long) Math.ceil(buffer.toNanos() / 1e9 * cores / perTask);
        return cores + (int) Math.min(MAX_QUEUED, queued);
    }

    /**
     * Why {@code task} cannot finish before its deadline when it runs after {@code held} (the tasks in hand, with
     * their progress), or empty when it can, or when there is no estimate to tell.
     */
    Optional<String> cannotFinish(Task task, Collection<RunningTask> held, Instant now) {
        Optional<Duration> own = speeds.estimate(task);
        if (own.isEmpty() || task.getDeadlineEpochMillis() <= 0) {
            return Optional.empty();
        }
        double aheadSeconds = 0;
        for (RunningTask t : held) {
            if (t.resultId() != task.getResultId()) {
                aheadSeconds += speeds.estimate(t.task()).map(d -> d.toNanos() / 1e9).orElse(0.0)
                        * (1 - t.progress());
            }
        }
        // the cores share the work ahead; this task then takes its own time on one of them
        Instant done = now.plusMillis((long) (aheadSeconds / cores * 1000)).plus(own.get());
        Instant deadline = Instant.ofEpochMilli(task.getDeadlineEpochMillis());
        return done.isAfter(deadline)
                ? Optional.of("this worker would finish it after its deadline (in about "
                        + Math.round(Duration.between(now, done).toMillis() / 1000.0) + " s, the deadline is in "
                        + Math.max(0, Duration.between(now, deadline).toSeconds()) + " s)")
                : Optional.empty();
    }
}
