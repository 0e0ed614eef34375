package dev.starling.worker.control;

import dev.starling.worker.support.Loop;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop: every control interval (a second), asks the suspend policy whether tasks may compute and at
 * which CPU limit, and checks the memory tasks hold against {@code --memory-limit}, and sets the compute gate and the
 * CPU limit accordingly. It reads the machine once per interval, which is what "suspend within two seconds" costs;
 * what it saw last is what {@code starling worker status} shows.
 */
public final class Controller extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private volatile SuspendPolicy policy;
    private final ComputeGate gate;
    private final CpuLimit cpuLimit;
    private final LongSupplier heapInUse;
    private volatile long memoryLimit;
    private final Duration interval;
    private final Clock clock;
    private volatile SuspendPolicy.Verdict last; // null before the first look

    public Controller(SuspendPolicy policy, ComputeGate gate, CpuLimit cpuLimit, LongSupplier heapInUse,
            long memoryLimit, Duration interval, Clock clock) {
        super("control");
        this.policy = policy;
        this.gate = gate;
        this.cpuLimit = cpuLimit;
        this.heapInUse = heapInUse;
        this.memoryLimit = memoryLimit;
        this.interval = interval;
        this.clock = clock;
    }

    /** From the next look on, watches with this policy and memory limit (the volunteer changed their preferences). */
    public void update(SuspendPolicy policy, long memoryLimit) {
        this.policy = policy;
        this.memoryLimit = memoryLimit;
        if (memoryLimit == 0) {
            gate.holdStarts(Optional.empty());
        }
    }

    @Override
    public void run() {
        do {
            try {
                tick();
            } catch (RuntimeException e) {
                log.error("Watching the machine failed; tasks go on as they were", e);
            }
        } while (!isStopping() && pause(interval));
        log.debug("Control loop stopped");
    }

    /** One look at the machine. */
    public void tick() {
        SuspendPolicy.Verdict verdict = policy.evaluate(ZonedDateTime.now(clock));
        gate.suspend(verdict.suspend());
        if (verdict.cpuLimitPercent() != cpuLimit.percent()) {
            log.info("The computer is {}; tasks compute at {}% CPU", verdict.inUse().map(why -> "in use: " + why)
                    .orElse("idle"), verdict.cpuLimitPercent());
            cpuLimit.set(verdict.cpuLimitPercent());
        }
        last = verdict;
        if (memoryLimit > 0) {
            long used = heapInUse.getAsLong();
            gate.holdStarts(used > memoryLimit ? Optional.of(SuspendPolicy.memoryReason(used, memoryLimit))
                    : Optional.empty());
        }
    }

    /** What the last look found; empty before the first. */
    public Optional<SuspendPolicy.Verdict> last() {
        return Optional.ofNullable(last);
    }
}
