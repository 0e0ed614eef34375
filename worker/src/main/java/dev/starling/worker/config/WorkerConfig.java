package dev.starling.worker.config;

import dev.starling.worker.fault.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the person running the worker chose (the command line, after validation).
 *
 * @param coordinator where the coordinator listens
 * @param name the host's name as the coordinator shows it
 * @param cores how many tasks run at once (at least 1)
 * @param workDir where the worker keeps its identity and state
 * @param gracePeriod how long running tasks may finish when the worker is asked to stop
 * @param fault a fault to inject (end-to-end tests only)
 * @param dataPlane the blob cache and serving peers
 * @param preferences how the worker shares the machine: CPU, idleness, hours, memory, disk, work in hand
 * @param accountKey the volunteer's account key, which makes the host theirs; empty: an anonymous host (which
 *     the coordinator may refuse)
 * @param tls plaintext or TLS to the coordinator
 */
public record WorkerConfig(
        CoordinatorAddress coordinator,
        String name,
        int cores,
        Path workDir,
        Duration gracePeriod,
        Optional<Fault> fault,
        DataPlaneConfig dataPlane,
        Preferences preferences,
        Optional<String> accountKey,
        CoordinatorTls tls) {

    public WorkerConfig {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(preferences, "preferences");
        Objects.requireNonNull(accountKey, "accountKey");
        Objects.requireNonNull(tls, "tls");
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be at least 1, was " + cores);
        }
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("the grace period must not be negative, was " + gracePeriod);
        }
    }
}
