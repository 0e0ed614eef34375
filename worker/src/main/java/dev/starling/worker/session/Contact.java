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
    private volatile String update;

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

    /** What the coordinator said to install at the last registration ({@code ""}: nothing, this worker is current). */
    void update(String notice) {
        update = notice == null || notice.isBlank() ? null : notice;
    }

    /** What to install, when the coordinator said this worker is old. */
    public Optional<String> update() {
        return Optional.ofNullable(update);
    }

    /** The host's credit; NaN before the coordinator said. */
    public double credit() {
        return credit;
    }
}
