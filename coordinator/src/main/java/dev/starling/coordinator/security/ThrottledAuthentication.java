package dev.starling.coordinator.security;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Checks the admin's password (form login and HTTP Basic alike) through {@code delegate}, after asking the
 * {@link LoginThrottle} whether the client's address may try at all, and tells it how the attempt went.
 */
final class ThrottledAuthentication implements AuthenticationProvider {
    private final AuthenticationProvider delegate;
    private final LoginThrottle throttle;

    ThrottledAuthentication(AuthenticationProvider delegate, LoginThrottle throttle) {
        this.delegate = delegate;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String address = authentication.getDetails() instanceof WebAuthenticationDetails d && d.getRemoteAddress() != null
                ? d.getRemoteAddress() : "unknown";
        Optional<Duration> wait = counted(() -> throttle.blocked(address));
        if (wait.isPresent()) {
            throw new LoginThrottledException(wait.get());
        }
        try {
            Authentication done = delegate.authenticate(authentication);
            recorded(() -> throttle.succeeded(address));
            return done;
        } catch (BadCredentialsException e) {
            recorded(() -> throttle.failed(address));
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    /** The throttle's answer; a database that cannot count says nothing of the credentials (a 503, not a 401). */
    private static <T> T counted(Supplier<T> call) {
        try {
            return call.get();
        } catch (DataAccessException e) {
            throw new InternalAuthenticationServiceException("failed logins could not be counted", e);
        }
    }

    private static void recorded(Runnable call) {
        counted(() -> {
            call.run();
            return null;
        });
    }
}
