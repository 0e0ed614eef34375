package dev.starling.coordinator.security;

import dev.starling.coordinator.StarlingProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Limits password guessing: a client address that failed {@code starling.admin.login-attempts} logins (form or
 * HTTP Basic) within {@code starling.admin.login-window} of its first failure is refused until that window ends;
 * a successful login clears its count. Counted in the database ({@code login_failure}), so that coordinators on one
 * database count the same guesses; by address, so a guesser cannot lock the admin out from elsewhere. Behind a
 * reverse proxy, the proxy must pass the client's address on ({@code server.forward-headers-strategy}).
 */
@Component
public class LoginThrottle {
    /** longer is cut: an address is an IP address, which is far shorter */
    private static final int MAX_ADDRESS = 100;

    private final LoginFailureTable failures;
    private final Clock clock;
    private final int attempts;
    private final Duration window;

    LoginThrottle(LoginFailureTable failures, Clock clock, StarlingProperties properties) {
        this.failures = failures;
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
        Instant now = clock.instant();
        return failures.blockedSince(key(address), attempts, now.minus(window))
                .map(first -> Duration.between(now, first.plus(window)));
    }

    /** Counts a failed login; a failure after the window of the first starts a new window. */
    void failed(String address) {
        Instant now = clock.instant();
        failures.add(key(address), now, now.minus(window));
    }

    void succeeded(String address) {
        failures.clear(key(address));
    }

    private static String key(String address) {
        return address.length() <= MAX_ADDRESS ? address : address.substring(0, MAX_ADDRESS);
    }
}
