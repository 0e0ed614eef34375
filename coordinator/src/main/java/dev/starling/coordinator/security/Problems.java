package dev.starling.coordinator.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem details (RFC 9457) written by the security filters, which answer before any controller (and so before
 * {@code ProblemAdvice}) is reached; the same fields and type URIs as the rest of the API.
 */
final class Problems {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TYPE_BASE = "https://starling.dev/problems/";

    private Problems() {}

    static void write(HttpServletResponse response, HttpStatus status, String type, String title, String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE_BASE + type);
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(problem));
    }
}
