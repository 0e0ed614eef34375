package dev.starling.coordinator.dashboard;

import dev.starling.coordinator.TestApi;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin's dashboard session over plain HTTP, as a browser keeps it: a cookie jar, no redirects followed, logged
 * in through the login form, and the CSRF token the dashboard's forms carry.
 */
public final class AdminSession {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    public final TestApi api;

    private AdminSession(int port) {
        api = new TestApi("http://localhost:" + port, null, HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build());
    }

    public static AdminSession login(int port, String password) {
        AdminSession session = new AdminSession(port);
        TestApi.Response r = session.post("/login", "username=admin&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + session.csrf("/login"));
        if (r.status() != 302) {
            throw new AssertionError("login answered " + r.status());
        }
        return session;
    }

    /** The CSRF token in the forms of the page at {@code path}, URL-encoded. */
    String csrf(String path) {
        Matcher m = CSRF.matcher(api.get(path).body());
        if (!m.find()) {
            throw new AssertionError(path + " has no form with a CSRF token");
        }
        return URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
    }

    /** Posts a form as the dashboard's forms do, with the CSRF token. */
    TestApi.Response submit(String path, String body) {
        return post(path, (body.isEmpty() ? "" : body + "&") + "_csrf=" + csrf("/dashboard"));
    }

    /** Posts a form without a CSRF token, as another site's page could make the browser do. */
    TestApi.Response post(String path, String body) {
        return api.send(api.request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
