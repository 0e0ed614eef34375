package dev.starling.coordinator.web;

import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.OverloadedException;
import dev.starling.coordinator.support.Transactions;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The REST API's and the dashboard's share of {@link Admission}: a volunteer's sign-up holds a permit of
 * {@code SIGN_UP}, any other call under {@code /api/} (but blob bytes, streamed for minutes with a database
 * connection only at their end, and the browser facade's worker protocol, whose calls take its permits as gRPC calls
 * do) or {@code /dashboard} one of {@code API}, from before its credentials are checked
 * (which reads the database) to its answer. A call turned away, or one the database could not serve (no connection
 * free, the database down) before a controller was reached, is a 503 with {@code Retry-After}, never a 500. It runs
 * before the security filters ({@code WebConfig}).
 */
public final class AdmissionFilter extends OncePerRequestFilter {
    private final Admission admission;

    public AdmissionFilter(Admission admission) {
        this.admission = admission;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Admission.Kind kind = kind(request);
        if (kind == null) {
            chain.doFilter(request, response);
            return;
        }
        try (Admission.Permit permit = admission.enter(kind)) {
            chain.doFilter(request, response);
        } catch (OverloadedException e) {
            busy(request, response, e.getMessage(), e.retryAfter());
        } catch (RuntimeException | ServletException e) {
            if (response.isCommitted() || !databaseUnavailable(e)) {
                throw e;
            }
            busy(request, response, DATABASE_UNAVAILABLE, admission.retryAfter());
        }
    }

    /** The detail of a 503 for a database that cannot serve right now. */
    public static final String DATABASE_UNAVAILABLE = "The coordinator cannot reach its database right now; retry later.";

    /** The kind of call, or null for calls that hold no permit (health, static files, blob bytes, the login page). */
    static Admission.Kind kind(HttpServletRequest request) {
        String path = ErrorAnswers.path(request);
        if (path.equals("/api/v1/volunteers") && request.getMethod().equals("POST")) {
            return Admission.Kind.SIGN_UP;
        }
        if (path.startsWith("/api/v1/blobs") || path.startsWith("/api/v1/browser/")) {
            // the browser facade's calls take the worker protocol's permits, as over gRPC (a long poll holds none)
            return null;
        }
        return path.startsWith("/api/") || path.equals("/dashboard") || path.startsWith("/dashboard/")
                ? Admission.Kind.API : null;
    }

    /** Whether the failure, or one of its causes, says the database cannot serve anyone right now. */
    public static boolean databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (Transactions.databaseUnavailable(t)) {
                return true;
            }
        }
        return false;
    }

    /** 503 with Retry-After: a problem on the API, the error page on the dashboard. */
    public static void busy(HttpServletRequest request, HttpServletResponse response, String detail, Duration retryAfter)
            throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds(retryAfter));
        if (ErrorAnswers.isPage(ErrorAnswers.path(request))) {
            response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value(), detail);
        } else {
            ErrorAnswers.write(request, response, ErrorAnswers.busy(detail));
        }
    }

    /** Whole seconds, at least 1 (the header takes no fractions). */
    public static String retryAfterSeconds(Duration retryAfter) {
        return Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
    }
}
