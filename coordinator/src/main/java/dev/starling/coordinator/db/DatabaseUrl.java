package dev.starling.coordinator.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns {@code DATABASE_URL} into {@code spring.datasource.*} properties. Accepts a JDBC URL
 * ({@code jdbc:postgresql://...}) or the common {@code postgres://user:pass@host:port/db} form.
 */
public final class DatabaseUrl {
    private DatabaseUrl() {}

    public static Map<String, Object> fromEnvironment(Map<String, String> env) {
        String url = env.get("DATABASE_URL");
        if (url == null || url.isBlank()) {
            return Map.of();
        }
        return parse(url.trim());
    }

    /** The URL with its password hidden, for messages. */
    static String masked(String url) {
        return url.replaceFirst("://([^:/@]*):[^@]*@", "://$1:***@");
    }

    static Map<String, Object> parse(String url) {
        Map<String, Object> props = new HashMap<>();
        if (url.startsWith("jdbc:")) {
            props.put("spring.datasource.url", url);
            return props;
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException(
                    "DATABASE_URL must be jdbc:postgresql://... or postgres://user:pass@host:port/db, got: " + masked(url));
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("DATABASE_URL is not a valid URL (" + e.getReason()
                    + "; percent-encode special characters in the user and password): " + masked(url));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("DATABASE_URL has no host: " + masked(url));
        }
        String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        props.put("spring.datasource.url", "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query);
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            props.put("spring.datasource.username", URLDecoder.decode(user, StandardCharsets.UTF_8));
            if (colon >= 0) {
                props.put("spring.datasource.password",
                        URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8));
            }
        }
        return props;
    }
}
