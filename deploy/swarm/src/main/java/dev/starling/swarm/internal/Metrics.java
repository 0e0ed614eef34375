package dev.starling.swarm.internal;

import io.grpc.Status;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What all hosts of a swarm count, over the whole run. The window's figures are differences of
 * {@link #snapshot()}s and the latencies recorded between two {@code interval} calls. Latencies are recorded in
 * microseconds; HdrHistogram's {@link Recorder} lets thousands of threads record without locks.
 */
final class Metrics {
    final AtomicInteger registered = new AtomicInteger();
    /** hosts that received at least one task */
    final AtomicInteger working = new AtomicInteger();
    /** when the last host registered, and when the last host received its first task (System.nanoTime()); 0 before */
    volatile long allRegisteredAt;
    volatile long allWorkingAt;
    final LongAdder tasksReceived = new LongAdder();
    /** success results acknowledged ACCEPTED (stored now or before) */
    final LongAdder resultsAccepted = new LongAdder();
    /** success results answered "already reported" on a retry: stored by an earlier call whose answer was lost */
    final LongAdder alreadyReported = new LongAdder();
    /** success results answered "already reported" on their first report: an anomaly */
    final LongAdder alreadyReportedFirstTime = new LongAdder();
    final LongAdder notNeeded = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder otherAppTasks = new LongAdder();
    final LongAdder foreignJobTasks = new LongAdder();
    final LongAdder malformedInputs = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LongAdder givenBack = new LongAdder();
    final LongAdder droppedReports = new LongAdder();
    final LongAdder stoppedHosts = new LongAdder();
    private final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    /** busy answers (UNAVAILABLE with a retry hint, 503 with Retry-After) by call, each retried after the hint */
    private final Map<String, LongAdder> busy = new ConcurrentHashMap<>();
    private final Recorder requestWork = new Recorder(3);
    private final Recorder report = new Recorder(3);

    /** per work unit of the run: when its first replica reached a host (nanoTime), and its results stored */
    private final Map<Long, long[]> workUnits = new ConcurrentHashMap<>();
    /** seconds from a work unit's first replica sent to its quorum-th result stored, in milliseconds */
    private final Histogram toQuorum = new Histogram(3);

    /** A replica of the work unit reached a host. */
    void sent(long workUnitId) {
        workUnits.computeIfAbsent(workUnitId, w -> new long[] {System.nanoTime(), 0});
    }

    /**
     * A success of the work unit was stored; the quorum-th is when it can first be validated (later when results
     * disagree), which is what {@link #medianToQuorumSeconds} measures.
     */
    void stored(long workUnitId, int quorum) {
        long[] w = workUnits.get(workUnitId);
        if (w == null) {
            return;
        }
        long millis;
        synchronized (w) {
            if (++w[1] != quorum) {
                return;
            }
            millis = (System.nanoTime() - w[0]) / 1_000_000;
        }
        synchronized (toQuorum) {
            toQuorum.recordValue(Math.max(0, millis));
        }
    }

    /** The median time from a work unit's first replica sent to its quorum-th result stored; NaN when none. */
    double medianToQuorumSeconds() {
        synchronized (toQuorum) {
            return toQuorum.getTotalCount() == 0 ? Double.NaN : toQuorum.getValueAtPercentile(50) / 1000.0;
        }
    }

    void error(Status.Code code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void busy(String call) {
        busy.computeIfAbsent(call, c -> new LongAdder()).increment();
    }

    /** Busy answers by call, sorted. */
    Map<String, Long> busyByCall() {
        Map<String, Long> byCall = new TreeMap<>();
        busy.forEach((call, count) -> byCall.put(call, count.sum()));
        return byCall;
    }

    void requestWorkLatency(long nanos) {
        requestWork.recordValue(Math.max(0, nanos / 1000));
    }

    void reportLatency(long nanos) {
        report.recordValue(Math.max(0, nanos / 1000));
    }

    /** RequestWork latencies (answered with tasks) since the last call. */
    Histogram requestWorkInterval() {
        return requestWork.getIntervalHistogram();
    }

    /** ReportResults latencies since the last call. */
    Histogram reportInterval() {
        return report.getIntervalHistogram();
    }

    /** Errors by status code name, sorted. */
    Map<String, Long> errorsByStatus() {
        Map<String, Long> byName = new TreeMap<>();
        errors.forEach((code, count) -> byName.put(code.name(), count.sum()));
        return byName;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Snapshot snapshot() {
        return new Snapshot(System.nanoTime(), tasksReceived.sum(), resultsAccepted.sum(), errorCount());
    }

    record Snapshot(long nanoTime, long tasksReceived, long resultsAccepted, long errors) {}
}
