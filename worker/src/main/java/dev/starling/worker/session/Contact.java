package dev.starling.worker.session;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * What the worker last heard from the coordinator, for {@code starling worker status}: when it last answered,
 * whether calls fail now and why, and the host's credit as the coordinator last said.
 */
public final class Contact {
    private final Clock clock;
    private volatile Instant lastAnswer;
    private volatile String failure;
    private volatile double credit = Double.NaN;

    public Contact(Clock clock) {
        this.clock = clock;
    }

    void answered() {
        lastAnswer = clock.instant();
        failure = null;
    }

    void failed(String why) {
        failure = why;
    }

    void credit(double value) {
        credit = value;
    }

    public Optional<Instant> lastAnswer() {
        return Optional.ofNullable(lastAnswer);
    }

    /** Why calls fail now; empty while the coordinator answers. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The host's credit; NaN before the coordinator said. */
    public double credit() {
        return credit;
    }
}
