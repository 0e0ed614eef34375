package dev.starling.coordinator.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the coordinator answers a request it refuses or fails: the dashboard's pages ({@link #isPage}) with an HTML
 * error page (the dashboard's {@code ErrorPages}), everything else (the REST API, Actuator, the API docs) with an
 * RFC 9457 problem of the house's form: a {@code type} under {@value #TYPE_BASE}, a {@code title}, the
 * {@code status}, a {@code detail} a person can act on and the {@code instance} (the path), whoever makes the
 * answer ({@code ProblemAdvice}, the security filters, the servlet container's error dispatch).
 */
public final class ErrorAnswers {
    public static final String TYPE_BASE = "https://starling.dev/problems/";
    /** The {@code detail} of a 500: the cause is for the operator's log, not for the caller. */
    public static final String FAILED = "The coordinator failed to handle this request; the operator can find the cause "
            + "in its log.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorAnswers() {}

    /** A problem of one of the API's own types. */
    public static ProblemDetail problem(HttpStatusCode status, String type, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create(TYPE_BASE + type));
        p.setTitle(title);
        return p;
    }

    /** A 503: the coordinator is too busy or cannot reach its database; answered with {@code Retry-After}. */
    public static ProblemDetail busy(String detail) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "busy", "Busy", detail);
    }

    /** A problem whose type and title follow from its status (for answers Spring or the container make). */
    public static ProblemDetail problem(HttpStatusCode status, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        complete(p);
        return p;
    }

    /**
     * Gives a problem without a type of its own ({@code about:blank}, as Spring makes them for 404, 405, 406, 415,
     * ...) the type and title of its status, as the API's own problems have: {@code not-found} "Not found",
     * {@code method-not-allowed} "Method not allowed", ...; a 400 is an {@code invalid-request}, a 500 an
     * {@code internal} error.
     */
    static void complete(ProblemDetail p) {
        if (p.getType() != null && !"about:blank".equals(p.getType().toString())) {
            return;
        }
        HttpStatus status = HttpStatus.resolve(p.getStatus());
        String type;
        String title;
        if (status == HttpStatus.BAD_REQUEST) {
            type = "invalid-request";
            title = "Invalid request";
        } else if (status == null || status == HttpStatus.INTERNAL_SERVER_ERROR) {
            type = "internal";
            title = "Internal error";
        } else {
            type = status.getReasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
            title = title(status);
        }
        p.setType(URI.create(TYPE_BASE + type));
        p.setTitle(title);
    }

    /** The status's reason phrase as a title: "Method not allowed". */
    public static String title(HttpStatus status) {
        String phrase = status.getReasonPhrase();
        return phrase.charAt(0) + phrase.substring(1).toLowerCase(Locale.ROOT);
    }

    /** The {@code detail} of a 404 for a path the coordinator does not have. */
    public static String noSuchPath(String path) {
        return "no such path: " + path + (path.startsWith("/api/") ? " (the REST API's calls are listed at /v3/api-docs)"
                : "");
    }

    /**
     * Whether a request to this path (without the context path) is answered as a page: the dashboard, the login
     * page and logout, the volunteer's pages, which a browser shows; everything else is answered with problem details.
     */
    public static boolean isPage(String path) {
        return path.equals("/dashboard") || path.startsWith("/dashboard/") || path.equals("/login")
                || path.equals("/logout") || path.equals("/account") || path.startsWith("/account/")
                || path.equals("/volunteer");
    }

    /** The request's path without the context path. */
    public static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    /** Writes the problem as the answer (for filters, which answer before any controller or advice). */
    public static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", String.valueOf(problem.getType()));
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        body.put("instance", problem.getInstance() != null ? problem.getInstance().toString() : path(request));
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(body));
    }
}
