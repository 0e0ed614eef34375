package dev.starling.worker.tasks;

import dev.starling.proto.v1.Task;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long each app's tasks take on this machine, from start of compute to the end (suspensions and the CPU
 * limit included, since they slow this machine down too): moving averages per app of the seconds a task takes
 * and of the seconds per unit of its work unit's cost ({@link Task#getCost()}, which the app declares in
 * proportion to the work), kept in {@code <work-dir>/speeds.properties} so that a restarted worker sizes its work
 * buffer at once. A task with a cost is estimated by its cost, so that a job of big work units is not judged by
 * an earlier job's small ones; one without, by the app's time per task. An estimate is a guide, not a promise: a
 * damaged file is simply started over.
 */
public final class AppSpeeds {
    private static final Logger log = LoggerFactory.getLogger(AppSpeeds.class);
    /** Weight of the newest measurement in the moving average. */
    private static final double WEIGHT = 0.3;
    private static final Duration SAVE_INTERVAL = Duration.ofMinutes(1);
    /** The file's key prefix for the seconds per unit of cost; a bare app name holds the seconds per task. */
    private static final String PER_COST = "per-cost.";

    private final Path file;
    private final Clock clock;
    private final Map<String, Double> perTask = new ConcurrentHashMap<>();
    private final Map<String, Double> perCost = new ConcurrentHashMap<>();
    private Instant savedAt = Instant.MIN; // guarded by this

    private AppSpeeds(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    public static AppSpeeds open(Path workDir, Clock clock) {
        AppSpeeds speeds = new AppSpeeds(workDir.resolve("speeds.properties"), clock);
        if (Files.exists(speeds.file)) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(Files.readString(speeds.file, StandardCharsets.UTF_8)));
                for (String key : p.stringPropertyNames()) {
                    double value = Double.parseDouble(p.getProperty(key));
                    if (value > 0 && Double.isFinite(value)) {
                        if (key.startsWith(PER_COST)) {
                            speeds.perCost.put(key.substring(PER_COST.length()), value);
                        } else {
                            speeds.perTask.put(key, value);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Cannot read {} ({}); the apps' speeds on this machine are measured afresh", speeds.file,
                        e.getMessage());
                speeds.perTask.clear();
                speeds.perCost.clear();
            }
        }
        return speeds;
    }

    /** How long {@code task} takes here: by its cost where it has one, else by its app's time per task. */
    Optional<Duration> estimate(Task task) {
        Double rate = task.getCost() > 0 ? perCost.get(task.getApp()) : null;
        Optional<Double> seconds = rate != null ? Optional.of(rate * task.getCost())
                : Optional.ofNullable(perTask.get(task.getApp()));
        return seconds.map(s -> Duration.ofMillis((long) (s * 1000)));
    }

    /** The average over the apps measured here of the seconds a task takes; empty before the first measurement. */
    OptionalDouble averageSeconds() {
        return perTask.values().stream().mapToDouble(Double::doubleValue).average();
    }

    /** {@code task} took {@code took} to compute. */
    void record(Task task, Duration took) {
        double s = Math.max(0.001, took.toNanos() / 1e9);
        perTask.merge(task.getApp(), s, AppSpeeds::average);
        if (task.getCost() > 0 && Double.isFinite(task.getCost())) {
            perCost.merge(task.getApp(), s / task.getCost(), AppSpeeds::average);
        }
        saveNowAndThen();
    }

    private static double average(double old, double now) {
        return old * (1 - WEIGHT) + now * WEIGHT;
    }

    private synchronized void saveNowAndThen() {
        Instant now = clock.instant();
        if (Duration.between(savedAt, now).compareTo(SAVE_INTERVAL) < 0) {
            return;
        }
        savedAt = now;
        Properties p = new Properties();
        perTask.forEach((app, s) -> p.setProperty(app, Double.toString(s)));
        perCost.forEach((app, s) -> p.setProperty(PER_COST + app, Double.toString(s)));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "How long each app's tasks take on this machine, in seconds per task and per unit of"
                    + " cost (the work buffer's guide)");
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.debug("Cannot save the apps' speeds: {}", e.getMessage());
        }
    }
}
