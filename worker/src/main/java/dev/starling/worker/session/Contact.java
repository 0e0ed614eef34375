package dev.starling.worker.session;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the worker last heard from the coordinator, for {@code starling worker status}: when it last answered,
 * whether calls fail now and why, the host's credit as the coordinator last said, and why no work came.
 */
public final class Contact {
    private static final Logger log = LoggerFactory.getLogger(Contact.class);
    private final Clock clock;
    private volatile Instant lastAnswer;
    private volatile String failure;
    private volatile double credit = Double.NaN;
    private volatile String update;
    private volatile String noWork;
    private String lastLogged; // guarded by this

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

    /**
     * Why the coordinator's last answer to RequestWork held no task, in its words and code ({@code NoWork}); null when
     * it held tasks, or came from a coordinator that does not say. A reason is logged when it differs from the last one
     * logged, so a worker told the same thing at every long poll, or between tasks, says it once.
     */
    void noWork(String why) {
        noWork = why;
        if (why != null) {
            synchronized (this) {
                if (why.equals(lastLogged)) {
                    return;
                }
                lastLogged = why;
            }
            log.info("No work from the coordinator: {}", why);
        }
    }

    /** Why the last answer to RequestWork held no task; empty when it held some, or the coordinator did not say. */
    public Optional<String> noWork() {
        return Optional.ofNullable(noWork);
    }

    /** The host's credit; NaN before the coordinator said. */
    public double credit() {
        return credit;
    }
}
