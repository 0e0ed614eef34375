package dev.starling.coordinator.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
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
        var wait = throttle.blocked(address);
        if (wait.isPresent()) {
            throw new LoginThrottledException(wait.get());
        }
        try {
            Authentication done = delegate.authenticate(authentication);
            throttle.succeeded(address);
            return done;
        } catch (BadCredentialsException e) {
            throttle.failed(address);
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
