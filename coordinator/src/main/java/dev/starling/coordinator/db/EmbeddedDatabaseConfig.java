package dev.starling.coordinator.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.starling.coordinator.StarlingProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * With no {@code spring.datasource.url}, the coordinator runs its own PostgreSQL (real binaries shipped
 * through Maven by zonky) with its data under {@code starling.data-dir}/postgres, so a restart keeps
 * every job. zonky's test-friendly defaults are overridden: the data directory is kept on close, and
 * commits are durable ({@code synchronous_commit=on}, {@code fsync=on}). The data dir is locked first
 * ({@link DataDirLock}): a second coordinator on it stops there and touches nothing.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfig.NoDatasourceUrl.class)
class EmbeddedDatabaseConfig {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfig.class);
    static final String DATABASE = "starling";

    /** Held until PostgreSQL has stopped (it is closed after the beans that depend on it). */
    @Bean(destroyMethod = "close")
    DataDirLock dataDirLock(StarlingProperties properties) {
        return DataDirLock.acquire(properties.dataDir());
    }

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(StarlingProperties properties, DataDirLock lock) throws IOException {
        Path dataDir = properties.dataDir().toAbsolutePath().resolve("postgres");
        Files.createDirectories(dataDir);
        // the data dir is ours: a PostgreSQL running on it was left by a coordinator that died (kill -9)
        StalePostmaster.stopIfRunning(dataDir, Duration.ofSeconds(60));
        log.info("Starting embedded PostgreSQL with data in {}", dataDir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // Spring closes it after the servers have drained; zonky's own hook would race that
                .setRegisterShutdownHook(false)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "100")
                .setServerConfig("listen_addresses", "localhost")
                .setPGStartupWait(Duration.ofSeconds(120))
                .start();
        createDatabaseIfMissing(pg.getPostgresDatabase());
        log.info("Embedded PostgreSQL listening on localhost:{}", pg.getPort());
        return pg;
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(EmbeddedPostgres pg) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.getJdbcUrl("postgres", DATABASE));
        config.setUsername("postgres");
        config.setPoolName("starling");
        // starling.admission's permits (20 by default) and the background work's connections (about 10) fit in it
        config.setMaximumPoolSize(32);
        return new HikariDataSource(config);
    }

    private static void createDatabaseIfMissing(DataSource admin) {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + " in embedded PostgreSQL", e);
        }
    }

    static class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("spring.datasource.url");
            return url == null || url.isBlank();
        }
    }
}
