package dev.starling.coordinator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Too many calls of one kind at once are answered busy at once, with when to come back (503 and Retry-After over
 * REST, UNAVAILABLE and grpc-retry-pushback-ms over gRPC), never a 500 and never after a long wait; and a database
 * that cannot serve (its pool exhausted) is a 503 too. One permit per kind and no queue here, so that the calls
 * this test holds in flight (on row locks it takes) fill a kind.
 */
class OverloadTest extends CoordinatorTest {
    private static final Metadata.Key<String> PUSHBACK =
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.admission.sign-up", () -> "1");
        registry.add("starling.admission.register", () -> "1");
        registry.add("starling.admission.queue", () -> "0");
        registry.add("starling.admission.retry-after", () -> "3s");
    }

    @Autowired
    private DataSource dataSource;

    @Autowired
    private MeterRegistry meters;

    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    private double active(String kind) {
        return meters.get("starling.admission.active").tag("kind", kind).gauge().value();
    }

    @Test
    void signUpsBeyondTheirPermitsAre503WithRetryAfterAndTheOthersGoOn() throws Exception {
        String meanwhile = signUp("meanwhile");
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            // a sign-up of this email waits for this transaction (the unique index), holding the one sign-up permit
            try (PreparedStatement s = lock.prepareStatement("INSERT INTO volunteer (name, email, key_hash, created_at)"
                    + " VALUES ('held', 'held@volunteers.example', '\\x00', now())")) {
                s.executeUpdate();
            }
            CompletableFuture<TestApi.Response> held = CompletableFuture.supplyAsync(() -> anonymous().post(
                    "/api/v1/volunteers", "{\"name\":\"held\",\"email\":\"held@volunteers.example\"}"), calls);
            await().until(() -> active("sign-up") == 1);

            HttpResponse<String> busy = anonymous().exchange(anonymous().request("/api/v1/volunteers")
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"turned-away\",\"email\":\"away@volunteers.example\"}")).build());

            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(busy.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
            assertThat(busy.body()).contains("too many volunteer sign-ups");
            // other kinds go on: a registration is served meanwhile
            assertThat(closedAfterTest(TestHost.registered(grpcPort(), meanwhile, "meanwhile", "primes")).id()).isPositive();
            lock.rollback();
            assertThat(held.get().status()).isEqualTo(201);
        }
        assertThat(signUp("after")).startsWith("sv_");
    }

    @Test
    void registrationsBeyondTheirPermitsAreUnavailableWithARetryHint() throws Exception {
        TestHost held = volunteerHost("held-host", "primes");
        TestHost other = closedAfterTest(new TestHost(grpcPort(), signUp("other")));
        RegisterRequest again = held.registration("held-host").setHostId(held.id()).setHostToken(held.token()).build();
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("SELECT id FROM host WHERE id = ? FOR UPDATE")) {
                s.setLong(1, held.id());
                s.executeQuery().close();
            }
            // the returning host's update waits for this transaction, holding the one Register permit
            CompletableFuture<RegisterResponse> waiting = CompletableFuture.supplyAsync(
                    () -> held.stub(false).register(again), calls);
            await().until(() -> active("register") == 1);

            assertThatThrownBy(() -> other.register("other")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).contains("too many Register and RotateToken calls");
                assertThat(e.getTrailers().get(PUSHBACK)).isEqualTo("3000");
            });
            lock.rollback();
            assertThat(waiting.get().getHostId()).isEqualTo(held.id());
        }
        assertThat(other.register("other").getHostId()).isPositive();
    }

    @Test
    void anExhaustedPoolIs503AndUnavailableNotA500() throws Exception {
        TestHost host = volunteerHost("pool", "primes");
        TestApi admin = api();

        withEveryConnectionTaken(() -> {
            TestApi.Response jobs = admin.get("/api/v1/jobs");
            assertThat(jobs.status()).isEqualTo(503);
            assertThat(jobs.body()).contains("cannot reach its database");
            assertThatThrownBy(() -> host.stub(true).heartbeat(HeartbeatRequest.newBuilder().addTasks(
                    dev.starling.proto.v1.TaskProgress.newBuilder().setResultId(1)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getTrailers().get(PUSHBACK)).isEqualTo("3000");
                    });
        });
        assertThat(admin.get("/api/v1/jobs").status()).isEqualTo(200);
    }

    /** A host registering asks for work at once: that call needs no token lookup, which a herd would queue for. */
    @Test
    void aHostThatJustRegisteredIsKnownWithoutALookup() throws Exception {
        TestHost host = volunteerHost("just-registered", "primes");

        withEveryConnectionTaken(() -> assertThat(host.requestWork(0)).isEmpty());
    }

    /** Runs {@code check} while this test holds every connection of the pool (calls wait 2 s for one in tests). */
    private void withEveryConnectionTaken(Runnable check) throws Exception {
        List<Connection> taken = new ArrayList<>();
        try {
            await().until(() -> {
                try {
                    taken.add(dataSource.getConnection());
                    return false;
                } catch (java.sql.SQLException e) {
                    return true;
                }
            });
            check.run();
        } finally {
            for (Connection c : taken) {
                c.close();
            }
        }
    }
}
