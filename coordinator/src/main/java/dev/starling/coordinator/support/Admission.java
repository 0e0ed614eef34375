package dev.starling.coordinator.support;

import com.zaxxer.hikari.HikariDataSource;
import dev.starling.coordinator.StarlingProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A limit on the calls of each kind served at once ({@code starling.admission}), so that a herd of one kind neither
 * exhausts the database's connection pool nor starves the others, and is answered at once when it is too big: a call
 * waits for a permit of its kind up to {@code max-wait}, behind at most {@code queue} others, or is turned away with an
 * {@link OverloadedException}, with when to come back: {@code retry-after}, or longer when more are turned away than
 * the kind serves ({@link Gate#refuse}). Meters: {@code starling.admission.active}, {@code starling.admission.waiting}
 * and {@code starling.admission.refused}, each tagged with the kind.
 */
@Component
public class Admission {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    /** connections the background work may hold at once: batches, sweepers, the work listener, gauges */
    static final int BACKGROUND_CONNECTIONS = 10;

    /** The kinds of calls, each with permits of its own. */
    public enum Kind {
        SIGN_UP("volunteer sign-ups"),
        REGISTER("Register and RotateToken calls"),
        AUTHENTICATE("host token checks"),
        HEARTBEAT("Heartbeat calls"),
        ANNOUNCE("AnnounceBlobs calls"),
        API("API calls");

        private final String calls;

        Kind(String calls) {
            this.calls = calls;
        }
    }

    private final Map<Kind, Gate> gates = new EnumMap<>(Kind.class);
    private final StarlingProperties.Admission settings;
    private final DataSource dataSource;

    Admission(StarlingProperties properties, MeterRegistry meters, DataSource dataSource) {
        this.settings = properties.admission();
        this.dataSource = dataSource;
        StarlingProperties.Admission a = settings;
        Map<Kind, Integer> permits = Map.of(Kind.SIGN_UP, a.signUp(), Kind.REGISTER, a.register(), Kind.AUTHENTICATE,
                a.authenticate(), Kind.HEARTBEAT, a.heartbeat(), Kind.ANNOUNCE, a.announce(), Kind.API, a.api());
        for (Kind kind : Kind.values()) {
            Gate gate = new Gate(permits.get(kind), Counter.builder("starling.admission.refused")
                    .tag("kind", tag(kind)).description("calls turned away busy").register(meters));
            String tag = tag(kind);
            Gauge.builder("starling.admission.active", gate, Gate::active).tag("kind", tag)
                    .description("calls being served").register(meters);
            Gauge.builder("starling.admission.waiting", gate.waiting, AtomicInteger::get).tag("kind", tag)
                    .description("calls waiting for a permit").register(meters);
            gates.put(kind, gate);
        }
    }

    private static String tag(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Runs {@code work} holding a permit of {@code kind}.
     *
     * @throws OverloadedException when no permit came free in time (nothing was run)
     */
    public <T> T run(Kind kind, Supplier<T> work) {
        try (Permit p = enter(kind)) {
            return work.get();
        }
    }

    /**
     * A permit of {@code kind}, to be closed when the call is served.
     *
     * @throws OverloadedException when none came free in time
     */
    public Permit enter(Kind kind) {
        Gate gate = gates.get(kind);
        if (!gate.enter()) {
            throw new OverloadedException(kind.calls, gate.refuse());
        }
        long entered = System.nanoTime();
        return () -> gate.leave(entered);
    }

    /** A permit held; closing it gives it back. */
    @FunctionalInterface
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** How long a caller turned away is asked to wait. */
    public Duration retryAfter() {
        return settings.retryAfter();
    }

    @EventListener(ApplicationReadyEvent.class)
    void checkPool() {
        if (dataSource instanceof HikariDataSource hikari
                && settings.permits() + BACKGROUND_CONNECTIONS > hikari.getMaximumPoolSize()) {
            log.warn("The database pool has {} connections, and starling.admission lets {} calls hold one at once besides"
                    + " about {} of the background work: calls may wait for a connection (raise"
                    + " spring.datasource.hikari.maximum-pool-size or lower starling.admission)",
                    hikari.getMaximumPoolSize(), settings.permits(), BACKGROUND_CONNECTIONS);
        }
    }

    /** The permits of one kind, the calls waiting for them, how long a call holds one, how many are turned away. */
    private final class Gate {
        static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);
        final Semaphore permits;
        final int size;
        final AtomicInteger waiting = new AtomicInteger();
        final Counter refused;
        /** how long calls hold a permit, on average (exponentially weighted; 0 before the first) */
        private volatile double holdSeconds;
        private final LongAdder refusedNow = new LongAdder();
        private final AtomicLong secondStarted = new AtomicLong(System.nanoTime());
        private volatile double refusedLastSecond;

        Gate(int size, Counter refused) {
            this.permits = new Semaphore(size);
            this.size = size;
            this.refused = refused;
        }

        double active() {
            return size - permits.availablePermits();
        }

        void leave(long entered) {
            permits.release();
            double held = (System.nanoTime() - entered) / 1e9;
            double before = holdSeconds;
            holdSeconds = before == 0 ? held : 0.9 * before + 0.1 * held; // a lost update of a race costs nothing
        }

        /**
         * Counts a call turned away and answers when it should come back: {@code retry-after}, or, when more calls
         * are turned away a second than this kind can serve a second (its permits over how long a call holds one),
         * as many seconds as serving them takes: those turned away come back spread over that time and twice it, so
         * at about the pace they can be served, rather than all again after a fixed pause, which would keep the
         * coordinator busy turning them away. At most a minute.
         */
        Duration refuse() {
            refused.increment();
            long now = System.nanoTime();
            long started = secondStarted.get();
            if (now - started >= 1_000_000_000L && secondStarted.compareAndSet(started, now)) {
                refusedLastSecond = refusedNow.sumThenReset() * 1e9 / (now - started);
            }
            refusedNow.increment();
            double perSecond = size / Math.max(holdSeconds, 1e-6);
            double seconds = Math.min(Math.max(refusedLastSecond, refusedNow.sum()) / perSecond,
                    MAX_RETRY_AFTER.toSeconds());
            Duration spread = Duration.ofMillis((long) (seconds * 1000));
            return spread.compareTo(settings.retryAfter()) > 0 ? spread : settings.retryAfter();
        }

        boolean enter() {
            if (permits.tryAcquire()) {
                return true;
            }
            if (waiting.incrementAndGet() > settings.queue()) {
                waiting.decrementAndGet();
                return false;
            }
            try {
                return permits.tryAcquire(settings.maxWait().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting.decrementAndGet();
            }
        }
    }
}
