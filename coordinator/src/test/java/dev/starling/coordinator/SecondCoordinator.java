package dev.starling.coordinator;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Another coordinator in this JVM on the same database as a test's own: its own HTTP and gRPC ports, its own
 * sweepers and listener, nothing shared but PostgreSQL, as two coordinator processes would.
 */
public final class SecondCoordinator implements AutoCloseable {
    private final ConfigurableApplicationContext context;
    private final int grpcPort;

    /** Starts on the database of {@code first}, with {@code properties} added to the first's test settings. */
    public SecondCoordinator(Environment first, Map<String, Object> properties) {
        grpcPort = CoordinatorTest.freePort();
        Map<String, Object> settings = new LinkedHashMap<>(Map.of(
                "spring.datasource.url", first.getRequiredProperty("spring.datasource.url"),
                "spring.datasource.username", first.getRequiredProperty("spring.datasource.username"),
                "spring.datasource.hikari.connection-timeout", "2000",
                "spring.datasource.hikari.minimum-idle", "2",
                "server.port", "0",
                "spring.grpc.server.port", Integer.toString(grpcPort),
                "starling.sweep.interval", "100ms"));
        settings.putAll(properties);
        // as command-line arguments, which win over application.properties
        context = new SpringApplicationBuilder(StarlingCoordinator.class)
                .run(settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    public int grpcPort() {
        return grpcPort;
    }

    public int httpPort() {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
