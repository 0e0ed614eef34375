package dev.starling.coordinator.security;

import dev.starling.coordinator.web.AdmissionFilter;
import dev.starling.coordinator.web.ErrorAnswers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * How the REST API answers a caller it does not know (401), a caller it refuses (403) and a throttled login
 * (429), as problem details whose {@code detail} says which credentials the call needs. A path the API does not
 * have is a 404 whoever calls it (the API's paths are public, in its OpenAPI document): neither a 401 nor a 403
 * may suggest that an admin-only call is there. Wrong credentials are a 401 on any path.
 */
final class AccessProblems implements AuthenticationEntryPoint, AccessDeniedHandler {
    private final Predicate<HttpServletRequest> pathExists;
    private final Duration retryAfter;

    /**
     * @param pathExists whether a controller or endpoint answers the request's path (with any method)
     * @param retryAfter when to come back after a login the database could not check
     */
    AccessProblems(Predicate<HttpServletRequest> pathExists, Duration retryAfter) {
        this.pathExists = pathExists;
        this.retryAfter = retryAfter;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof LoginThrottledException throttled) {
            response.setHeader("Retry-After", Long.toString(Math.max(1, throttled.retryAfter().toSeconds())));
            write(request, response, HttpStatus.TOO_MANY_REQUESTS, "too-many-logins", "Too many failed logins",
                    e.getMessage());
            return;
        }
        if (AdmissionFilter.databaseUnavailable(e)) {
            // the credentials could not be checked, which says nothing of them: not a 401
            AdmissionFilter.busy(request, response, AdmissionFilter.DATABASE_UNAVAILABLE, retryAfter);
            return;
        }
        if (e instanceof BadCredentialsException) {
            unauthenticated(request, response, "wrong admin user name or password");
        } else if (!pathExists.test(request)) {
            notFound(request, response);
        } else {
            unauthenticated(request, response, "this call needs " + needs(ErrorAnswers.path(request)));
        }
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        if (e instanceof CsrfException) {
            forbidden(request, response,
                    "a call made with the dashboard's session must carry its CSRF token (header X-CSRF-TOKEN)");
        } else if (!pathExists.test(request)) {
            notFound(request, response);
        } else {
            forbidden(request, response, "these credentials may not make this call; it needs "
                    + needs(ErrorAnswers.path(request)));
        }
    }

    /** The credentials a path needs, in words. */
    static String needs(String path) {
        if (path.startsWith("/api/v1/jobs") || path.startsWith("/api/v1/blobs")) {
            return "a researcher's API key ('Authorization: Bearer <key>'; the operator creates keys) or the admin's "
                    + "credentials";
        }
        if (path.equals(SecurityConfig.BROWSER_REGISTER)) {
            return "a signed-in volunteer's web session (sign in at " + SecurityConfig.ACCOUNT_LOGIN + ") and its CSRF"
                    + " token (header X-CSRF-TOKEN, from the page's meta tag _csrf)";
        }
        if (path.startsWith("/api/v1/volunteers/me")) {
            return "a volunteer's account key ('Authorization: Bearer <account key>', from POST /api/v1/volunteers)";
        }
        return "the admin's credentials (HTTP Basic, or the dashboard's session)";
    }

    private static void unauthenticated(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"starling\"");
        write(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", detail);
    }

    private static void forbidden(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        write(request, response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail);
    }

    private static void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
        write(request, response, HttpStatus.NOT_FOUND, "not-found", "Not found",
                ErrorAnswers.noSuchPath(ErrorAnswers.path(request)));
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String type, String title, String detail) throws IOException {
        ErrorAnswers.write(request, response, ErrorAnswers.problem(status, type, title, detail));
    }
}
