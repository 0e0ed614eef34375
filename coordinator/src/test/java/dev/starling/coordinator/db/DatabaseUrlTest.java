package dev.starling.coordinator.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DATABASE_URL in its two accepted forms. (The external-database path itself is what every in-JVM
 * coordinator test uses: they point spring.datasource.url at a PostgreSQL the test started.)
 */
class DatabaseUrlTest {

    @Test
    void absentOrBlankMeansTheEmbeddedDatabase() {
        assertThat(DatabaseUrl.fromEnvironment(Map.of())).isEmpty();
        assertThat(DatabaseUrl.fromEnvironment(Map.of("DATABASE_URL", "  "))).isEmpty();
    }

    @Test
    void aJdbcUrlIsTakenAsItIs() {
        assertThat(DatabaseUrl.fromEnvironment(Map.of("DATABASE_URL", "jdbc:postgresql://db:5432/starling?ssl=true")))
                .containsExactly(Map.entry("spring.datasource.url", "jdbc:postgresql://db:5432/starling?ssl=true"));
    }

    @Test
    void aPostgresUrlBecomesUrlUserAndPassword() {
        Map<String, Object> props = DatabaseUrl.parse("postgres://star%40ling:p%3Ass@db.example.org:6543/jobs?sslmode=require");

        assertThat(props).containsEntry("spring.datasource.url", "jdbc:postgresql://db.example.org:6543/jobs?sslmode=require")
                .containsEntry("spring.datasource.username", "star@ling")
                .containsEntry("spring.datasource.password", "p:ss");
    }

    @Test
    void aPostgresqlUrlWithoutPortOrPassword() {
        assertThat(DatabaseUrl.parse("postgresql://alice@localhost/starling"))
                .containsEntry("spring.datasource.url", "jdbc:postgresql://localhost/starling")
                .containsEntry("spring.datasource.username", "alice")
                .doesNotContainKey("spring.datasource.password");
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://db/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://").hasMessageContaining("postgres://");
    }

    @Test
    void messagesNeverShowThePassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://user:s3cret@/db"))
                .hasMessageContaining("no host").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://user:bad pass^@db/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percent-encode").hasMessageNotContaining("bad pass");
    }
}
