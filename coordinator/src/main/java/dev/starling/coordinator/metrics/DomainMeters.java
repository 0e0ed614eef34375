package dev.starling.coordinator.metrics;

import dev.starling.coordinator.support.Batcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * Starling's own meters, exposed with the JVM's and the web server's at {@code /actuator/prometheus} (the admin's):
 * <ul>
 *   <li>counters, per coordinator (sum them over coordinators): {@code starling.workunits.validated},
 *       {@code starling.workunits.failed}, {@code starling.results{outcome=valid|invalid|error|timed_out|given_back}},
 *       {@code starling.tasks.dispatched} (and {@code starling.transfer.bytes}, kept by the peer tracker);</li>
 *   <li>gauges of this coordinator: {@code starling.batch.queued{batch=claims|reports}} (RequestWork and
 *       ReportResults calls waiting for the next group commit);</li>
 *   <li>timers: {@code starling.dispatch.latency} (a RequestWork's claim, from joining a claim batch to its
 *       commit, the long-poll wait excluded) and {@code starling.report.latency} (a ReportResults' batch);</li>
 *   <li>gauges, read from the database (so the same on every coordinator: take the max, not the sum), at most
 *       every {@link #REFRESH} (of the injected clock): {@code starling.hosts.active} (heard from within {@link #ACTIVE}),
 *       {@code starling.hosts.quarantined}, {@code starling.hosts.banned}, {@code starling.queue.depth} (unsent
 *       replicas), {@code starling.tasks.in_progress}, {@code starling.jobs.active} (queued or running).</li>
 * </ul>
 */
@Component
public class DomainMeters {
    static final Duration REFRESH = Duration.ofSeconds(10);
    static final Duration ACTIVE = Duration.ofMinutes(5);

    /** What a result did, as {@code starling.results} counts it. */
    public enum Outcome { VALID, INVALID, ERROR, TIMED_OUT, GIVEN_BACK }

    private final Counter validated;
    private final Counter failed;
    private final Counter dispatched;
    private final Map<Outcome, Counter> results = new EnumMap<>(Outcome.class);
    private final Timer dispatchLatency;
    private final Timer reportLatency;
    private final GaugeQueries queries;
    private final Clock clock;
    private final MeterRegistry registry;
    private volatile Snapshot snapshot;
    private volatile Instant readAt;

    DomainMeters(MeterRegistry registry, GaugeQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
        this.registry = registry;
        validated = Counter.builder("starling.workunits.validated").description("work units validated")
                .register(registry);
        failed = Counter.builder("starling.workunits.failed").description("work units failed past their limits")
                .register(registry);
        dispatched = Counter.builder("starling.tasks.dispatched").description("tasks sent to hosts").register(registry);
        for (Outcome o : Outcome.values()) {
            results.put(o, Counter.builder("starling.results").tag("outcome", o.name().toLowerCase())
                    .description("results judged (valid, invalid), failed (error, timed_out) or given back")
                    .register(registry));
        }
        dispatchLatency = Timer.builder("starling.dispatch.latency").publishPercentileHistogram()
                .description("a RequestWork's claim: joining a claim batch to its commit, without the long-poll wait")
                .register(registry);
        reportLatency = Timer.builder("starling.report.latency").publishPercentileHistogram()
                .description("a ReportResults' batch: joining a report batch to its commit").register(registry);
        gauge(registry, "starling.hosts.active", "hosts heard from within the last " + ACTIVE.toMinutes() + " minutes",
                Snapshot::activeHosts);
        gauge(registry, "starling.hosts.quarantined", "hosts in quarantine", Snapshot::quarantinedHosts);
        gauge(registry, "starling.hosts.banned", "hosts banned by the admin", Snapshot::bannedHosts);
        gauge(registry, "starling.queue.depth", "unsent replicas waiting for a host", Snapshot::unsent);
        gauge(registry, "starling.tasks.in_progress", "replicas being computed", Snapshot::inProgress);
        gauge(registry, "starling.jobs.active", "jobs queued or running", Snapshot::activeJobs);
    }

    public void validated(int workUnits) {
        validated.increment(workUnits);
    }

    public void failed(int workUnits) {
        failed.increment(workUnits);
    }

    public void dispatched(int tasks) {
        dispatched.increment(tasks);
    }

    public void results(Outcome outcome, int count) {
        results.get(outcome).increment(count);
    }

    /** Shows how many calls wait for the next batch of {@code batcher}, as {@code starling.batch.queued{batch=name}}. */
    public void batchQueue(String name, Batcher<?, ?> batcher) {
        Gauge.builder("starling.batch.queued", batcher, Batcher::queued).tag("batch", name)
                .description("calls waiting for the next group commit").register(registry);
    }

    public Timer dispatchLatency() {
        return dispatchLatency;
    }

    public Timer reportLatency() {
        return reportLatency;
    }

    /** The database's figures at one moment (what the gauges show; the dashboard may show them too). */
    public record Snapshot(long activeHosts, long quarantinedHosts, long bannedHosts, long unsent, long inProgress,
            long activeJobs) {}

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Snapshot> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.current())).description(description).register(registry);
    }

    /** The figures, read again when older than {@link #REFRESH} (one statement for all gauges). */
    public Snapshot current() {
        Instant now = clock.instant();
        Snapshot s = snapshot;
        if (s == null || !now.isBefore(readAt.plus(REFRESH))) {
            s = queries.snapshot(now.minus(ACTIVE));
            snapshot = s;
            readAt = now;
        }
        return s;
    }
}
