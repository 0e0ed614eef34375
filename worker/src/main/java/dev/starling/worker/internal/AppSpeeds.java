package dev.starling.worker.internal;

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
 * limit included, since they slow this machine down too): a moving average per app, kept in
 * {@code <work-dir>/speeds.properties} so that a restarted worker sizes its work buffer at once. An estimate is
 * a guide, not a promise: a damaged file is simply started over.
 */
final class AppSpeeds {
    private static final Logger log = LoggerFactory.getLogger(AppSpeeds.class);
    /** Weight of the newest measurement in the moving average. */
    private static final double WEIGHT = 0.3;
    private static final Duration SAVE_INTERVAL = Duration.ofMinutes(1);

    private final Path file;
    private final Clock clock;
    private final Map<String, Double> seconds = new ConcurrentHashMap<>();
    private Instant savedAt = Instant.MIN; // guarded by this

    private AppSpeeds(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    static AppSpeeds open(Path workDir, Clock clock) {
        AppSpeeds speeds = new AppSpeeds(workDir.resolve("speeds.properties"), clock);
        if (Files.exists(speeds.file)) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(Files.readString(speeds.file, StandardCharsets.UTF_8)));
                for (String app : p.stringPropertyNames()) {
                    double value = Double.parseDouble(p.getProperty(app));
                    if (value > 0 && Double.isFinite(value)) {
                        speeds.seconds.put(app, value);
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Cannot read {} ({}); the apps' speeds on this machine are measured afresh", speeds.file,
                        e.getMessage());
                speeds.seconds.clear();
            }
        }
        return speeds;
    }

    /** How long a task of {@code app} takes here, once one has been measured. */
    Optional<Duration> estimate(String app) {
        Double s = seconds.get(app);
        return s == null ? Optional.empty() : Optional.of(Duration.ofMillis((long) (s * 1000)));
    }

    /** The average over the apps measured here, in seconds; empty before the first measurement. */
    OptionalDouble averageSeconds() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).average();
    }

    /** A task of {@code app} took {@code took} to compute. */
    void record(String app, Duration took) {
        double s = Math.max(0.001, took.toNanos() / 1e9);
        seconds.merge(app, s, (old, now) -> old * (1 - WEIGHT) + now * WEIGHT);
        saveNowAndThen();
    }

    private synchronized void saveNowAndThen() {
        Instant now = clock.instant();
        if (Duration.between(savedAt, now).compareTo(SAVE_INTERVAL) < 0) {
            return;
        }
        savedAt = now;
        Properties p = new Properties();
        seconds.forEach((app, s) -> p.setProperty(app, Double.toString(s)));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "How long each app's tasks take on this machine, in seconds (the work buffer's guide)");
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
