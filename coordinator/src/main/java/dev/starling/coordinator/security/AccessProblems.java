package dev.starling.coordinator.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * How the REST API answers a caller it does not know (401), a caller it refuses (403) and a throttled login
 * (429), as problem details whose {@code detail} says which credentials the call needs.
 */
final class AccessProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof LoginThrottledException throttled) {
            response.setHeader("Retry-After", Long.toString(Math.max(1, throttled.retryAfter().toSeconds())));
            Problems.write(response, HttpStatus.TOO_MANY_REQUESTS, "too-many-logins", "Too many failed logins",
                    e.getMessage());
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer realm=\"starling\"");
        String detail = e instanceof BadCredentialsException ? "wrong admin user name or password"
                : "this call needs " + needs(path(request));
        Problems.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", detail);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        String detail = e instanceof CsrfException
                ? "a call made with the dashboard's session must carry its CSRF token (header X-CSRF-TOKEN)"
                : "these credentials may not make this call; it needs " + needs(path(request));
        Problems.write(response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail);
    }

    /** The credentials a path needs, in words. */
    static String needs(String path) {
        if (path.startsWith("/api/v1/jobs") || path.startsWith("/api/v1/blobs")) {
            return "a researcher's API key ('Authorization: Bearer <key>'; the operator creates keys) or the admin's "
                    + "credentials";
        }
        if (path.startsWith("/api/v1/volunteers/me")) {
            return "a volunteer's account key ('Authorization: Bearer <account key>', from POST /api/v1/volunteers)";
        }
        return "the admin's credentials (HTTP Basic, or the dashboard's session)";
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
