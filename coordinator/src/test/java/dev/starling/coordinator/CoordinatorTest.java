package dev.starling.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Base of tests that run a whole coordinator in this JVM: real HTTP and gRPC sockets, a real PostgreSQL
 * database of the test class's own (each subclass declares a {@code @DynamicPropertySource} calling
 * {@link #configure}), and a clock the test moves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"starling.sweep.interval=100ms", "starling.dispatch.lease=60s",
                "starling.dispatch.heartbeat-interval=10s"})
@Import(CoordinatorTest.TestClock.class)
public abstract class CoordinatorTest {
    @LocalServerPort
    protected int httpPort;

    @Autowired
    protected MutableClock clock;

    protected static void configure(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
        int grpcPort = freePort();
        registry.add("spring.grpc.server.port", () -> grpcPort);
    }

    @Autowired
    private Environment environment;

    protected int grpcPort() {
        return environment.getRequiredProperty("spring.grpc.server.port", Integer.class);
    }

    protected TestApi api() {
        return new TestApi(httpPort);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class TestClock {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock();
        }
    }
}
