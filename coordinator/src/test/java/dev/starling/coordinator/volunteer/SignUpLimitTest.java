package dev.starling.coordinator.volunteer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sign-up is limited per source address: the fourth account from one address within the window is a 429 problem
 * with Retry-After, nothing stored; a forwarded address counts only from a trusted proxy; the admin is not limited.
 */
class SignUpLimitTest extends CoordinatorTest {
    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.volunteers.sign-ups-per-address", () -> "3");
        registry.add("starling.volunteers.sign-up-window", () -> "1h");
    }

    private TestApi.Response signUpAs(TestApi api, String email) {
        return api.post("/api/v1/volunteers", "{\"name\":\"v\",\"email\":\"" + email + "\"}");
    }

    /** An anonymous sign-up with its whole answer (headers too), with an X-Forwarded-For header when not null. */
    private HttpResponse<String> raw(String email, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/volunteers"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"v\",\"email\":\"" + email + "\"}"));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private long volunteers() {
        return jdbc.sql("SELECT count(*) FROM volunteer").query(Long.class).single();
    }

    @Test
    void theFourthSignUpFromOneAddressIsRefusedAndStoresNothing() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(raw("limit-" + i + "@example.org", null).statusCode()).isEqualTo(201);
        }
        long before = volunteers();

        HttpResponse<String> refused = raw("limit-3@example.org", null);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("3600");
        assertThat(refused.body()).contains("3 volunteer accounts were signed up from 127.0.0.1 within 60 minutes");
        assertThat(volunteers()).isEqualTo(before);

        // a client's own X-Forwarded-For is not believed: this coordinator trusts no proxy
        assertThat(raw("limit-4@example.org", "203.0.113.9").statusCode()).isEqualTo(429);
        // the admin creates accounts whatever the limit
        assertThat(signUpAs(api(), "limit-5@example.org").status()).isEqualTo(201);
    }
}
