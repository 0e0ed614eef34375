package dev.starling.coordinator;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One real PostgreSQL per test JVM; each test class gets a fresh database of its own, migrated by the
 * coordinator's Flyway like production.
 */
public final class TestDatabase {
    public static final String USER = "postgres";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(Path.of("target", "test-postgres-" + ProcessHandle.current().pid()))
                        .setCleanDataDirectory(true)
                        .setPGStartupWait(Duration.ofSeconds(120))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
            }
        }
        return server;
    }

    /** Creates a new, empty database and points the Spring context's datasource at it. */
    public static void register(DynamicPropertyRegistry registry) {
        String url = create();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> USER);
        // at JVM exit the database may stop before the Spring contexts: fail fast instead of waiting 30 s
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
        // the test classes' contexts stay cached, each with its pool, on one server (300 connections at most): a pool
        // keeps 2 connections when idle, not all 24 it may open
        registry.add("spring.datasource.hikari.minimum-idle", () -> "2");
        registry.add("spring.datasource.hikari.idle-timeout", () -> "20000");
    }

    /** Creates a new, empty database and answers its JDBC URL (user {@link #USER}, no password). */
    public static String create() {
        EmbeddedPostgres pg = server();
        String name = "test_" + COUNTER.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return pg.getJdbcUrl(USER, name);
    }
}
