package dev.starling.coordinator.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.StarlingProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Limits password guessing: a client address that failed {@code starling.admin.login-attempts} logins (form or
 * HTTP Basic) within {@code starling.admin.login-window} of its first failure is refused until that window ends;
 * a successful login clears its count. Counted per coordinator, in memory; by address, so a guesser cannot lock
 * the admin out from elsewhere. Behind a reverse proxy, the proxy must pass the client's address on
 * ({@code server.forward-headers-strategy}).
 */
@Component
public class LoginThrottle {
    private record Failures(int count, Instant first) {}

    private final Cache<String, Failures> byAddress =
            Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(2)).build();
    private final Clock clock;
    private final int attempts;
    private final Duration window;

    LoginThrottle(Clock clock, StarlingProperties properties) {
        this.clock = clock;
        this.attempts = properties.admin().loginAttempts();
        this.window = properties.admin().loginWindow();
        if (attempts < 1 || !window.isPositive()) {
            throw new IllegalStateException("starling.admin.login-attempts must be at least 1 and "
                    + "starling.admin.login-window longer than 0");
        }
    }

    /** How long the address must wait before it may try again; empty when it may try now. */
    public Optional<Duration> blocked(String address) {
        Failures f = current(address);
        if (f == null || f.count() < attempts) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(clock.instant(), f.first().plus(window)));
    }

    void failed(String address) {
        Instant now = clock.instant();
        byAddress.asMap().compute(address, (a, f) -> f == null || expired(f, now) ? new Failures(1, now)
                : new Failures(f.count() + 1, f.first()));
    }

    void succeeded(String address) {
        byAddress.invalidate(address);
    }

    private Failures current(String address) {
        Failures f = byAddress.getIfPresent(address);
        return f == null || expired(f, clock.instant()) ? null : f;
    }

    private boolean expired(Failures f, Instant now) {
        return !now.isBefore(f.first().plus(window));
    }
}
