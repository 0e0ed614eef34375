package dev.starling.coordinator.security;

import java.util.Optional;

/** Checks a volunteer's email and web password, for the sign-in form ({@link SignIn}). */
public interface PasswordAuthenticator {
    /** The volunteer with this email and password; empty when there is none, or the password is wrong or unset. */
    Optional<Caller> authenticate(String email, String password);
}
