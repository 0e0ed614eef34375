package dev.starling.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Base of tests that run a whole coordinator in this JVM: real HTTP and gRPC sockets, a real PostgreSQL
 * database of the test class's own (each subclass declares a {@code @DynamicPropertySource} calling
 * {@link #configure}), and a clock the test moves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"starling.sweep.interval=100ms", "starling.dispatch.lease=60s",
                "starling.dispatch.heartbeat-interval=10s", "starling.admin.password=" + CoordinatorTest.ADMIN_PASSWORD,
                // the test clock stands still unless a test moves it: a work unit's replicas are sent at one instant
                // (SpreadTest turns the gap on and moves the clock)
                "starling.dispatch.replica-gap=0",
                // every host of these tests connects from this machine, and peers are offered at that address
                "starling.peers.private-networks=127.0.0.0/8,::1",
                // every volunteer of these tests signs up from this machine (SignUpLimitTest turns the limit on)
                "starling.volunteers.sign-ups-per-address=0"})
@Import(CoordinatorTest.TestClock.class)
public abstract class CoordinatorTest {
    public static final String ADMIN_PASSWORD = "test-admin-password";
    private static final AtomicInteger VOLUNTEERS = new AtomicInteger();

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

    /** The REST API as the admin (HTTP Basic), who may do everything. */
    protected TestApi api() {
        return anonymous().asAdmin(ADMIN_PASSWORD);
    }

    /** The REST API without credentials. */
    protected TestApi anonymous() {
        return new TestApi(httpPort);
    }

    /** The REST API as a new researcher, with a key the admin made. */
    protected TestApi researcher(String name) {
        return anonymous().withKey(researcherKey(name));
    }

    /** A new researcher's API key, made by the admin. */
    protected String researcherKey(String name) {
        TestApi.Response r = api().post("/api/v1/admin/researchers", "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("creating a researcher answered " + r.status() + ": " + r.body());
        }
        return r.json().get("key").asString();
    }

    /** Signs up a new volunteer (open sign-up) and returns their account key. */
    protected String signUp(String name) {
        return signUp(anonymous(), name);
    }

    public static String signUp(TestApi api, String name) {
        TestApi.Response r = api.post("/api/v1/volunteers", "{\"name\":\"" + name + "\",\"email\":\"" + name + "-"
                + VOLUNTEERS.incrementAndGet() + "@volunteers.example\"}");
        if (r.status() != 201) {
            throw new AssertionError("sign-up answered " + r.status() + ": " + r.body());
        }
        return r.json().get("accountKey").asString();
    }

    /** Hosts closed after each test. */
    private final List<TestHost> hosts = new ArrayList<>();

    /** A host of a volunteer of its own, registered over gRPC; closed after the test. */
    protected TestHost volunteerHost(String name, String... apps) {
        return closedAfterTest(TestHost.registered(grpcPort(), signUp(name), name, apps));
    }

    /** Closes the host after the test. */
    protected TestHost closedAfterTest(TestHost host) {
        hosts.add(host);
        return host;
    }

    @AfterEach
    protected void closeHosts() throws InterruptedException {
        for (TestHost h : hosts) {
            h.close();
        }
        hosts.clear();
    }

    /** Cancels every queued or running job, so that the next test's hosts see only their own work. */
    protected void cancelActiveJobs() {
        for (JsonNode job : api().get("/api/v1/jobs?size=500").json().get("items")) {
            if (job.get("state").asString().matches("QUEUED|RUNNING")) {
                api().postRaw("/api/v1/jobs/" + job.get("id").asLong() + "/cancel", null, null);
            }
        }
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
