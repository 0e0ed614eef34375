package dev.starling.coordinator.security;

import java.time.Duration;
import org.springframework.security.core.AuthenticationException;

/** A login refused without checking the password: this address failed too often lately. */
final class LoginThrottledException extends AuthenticationException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    LoginThrottledException(Duration retryAfter) {
        super("too many failed logins from this address; try again in " + describe(retryAfter));
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    static String describe(Duration d) {
        long seconds = Math.max(1, d.toSeconds());
        return seconds < 120 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes";
    }
}
