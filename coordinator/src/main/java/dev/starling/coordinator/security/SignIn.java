package dev.starling.coordinator.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * The one sign-in form, two kinds of account: a user name with an {@code @} is a volunteer's email, checked by the
 * {@link PasswordAuthenticator} (the principal is then the volunteer's {@link Caller}); any other is the admin's,
 * checked by {@code admin}. Both are throttled alike ({@link ThrottledAuthentication} wraps this).
 */
final class SignIn implements AuthenticationProvider {
    private final AuthenticationProvider admin;
    private final PasswordAuthenticator volunteers;

    SignIn(AuthenticationProvider admin, PasswordAuthenticator volunteers) {
        this.admin = admin;
        this.volunteers = volunteers;
    }

    static boolean isVolunteer(String userName) {
        return userName != null && userName.indexOf('@') > 0;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        if (!isVolunteer(authentication.getName())) {
            return admin.authenticate(authentication);
        }
        String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
        Caller caller = volunteers.authenticate(authentication.getName(), password)
                .orElseThrow(() -> new BadCredentialsException("wrong email or password"));
        CallerAuthentication done = new CallerAuthentication(caller);
        done.setDetails(authentication.getDetails());
        return done;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
