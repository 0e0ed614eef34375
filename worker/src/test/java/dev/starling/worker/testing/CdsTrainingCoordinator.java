package dev.starling.worker.testing;

import dev.starling.samples.primes.PrimesApp;
import dev.starling.sdk.App;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/**
 * The coordinator the worker bundle's class-data archive is trained against ({@code ./mvnw -Pdist package} runs
 * it): a {@link FakeCoordinator} that hands out a few real {@code primes} tasks, so that the archive holds the
 * classes of registering, long polls, computing, heartbeats and reports, not only those of starting up. Classes
 * outside the archive cost the worker metaspace and start-up time for as long as it runs.
 *
 * <p>Usage: {@code CdsTrainingCoordinator ADDRESS_FILE SECONDS}: writes its address ({@code host:port}) to
 * ADDRESS_FILE once it listens, then serves for SECONDS.
 */
public final class CdsTrainingCoordinator {
    private CdsTrainingCoordinator() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CdsTrainingCoordinator ADDRESS_FILE SECONDS");
            System.exit(2);
        }
        try (FakeCoordinator coordinator = new FakeCoordinator(200, 1_000)) {
            App primes = new PrimesApp();
            StagePlan plan = primes.split(JobParams.of(primes, Map.of("from", 0, "to", 20_000_000, "chunkSize", 5_000_000)));
            for (long i = 0; i < plan.size(); i++) {
                coordinator.offer(primes.info().name(), plan.workUnit(i).input());
            }
            Path file = Path.of(args[0]);
            Path written = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), coordinator.address().toString());
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(Duration.ofSeconds(Long.parseLong(args[1])));
        }
    }
}
