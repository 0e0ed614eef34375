package dev.starling.worker.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ThrowingRunnable;

/** Waits on conditions, never on the clock: polls often, gives up after a generous bound. */
public final class Eventually {
    private Eventually() {}

    public static void until(Callable<Boolean> condition) {
        await().until(condition);
    }

    public static void untilAsserted(ThrowingRunnable assertion) {
        await().untilAsserted(assertion);
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }
}
