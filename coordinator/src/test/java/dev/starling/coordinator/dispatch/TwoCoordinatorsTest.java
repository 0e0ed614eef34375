package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.SecondCoordinator;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Two coordinators on one database. Waiting calls look for work by themselves only every ten minutes here,
 * and may wait two, so a call that returns with work was woken by the other coordinator's notification.
 */
@TestPropertySource(properties = {"starling.dispatch.recheck-interval=10m", "starling.dispatch.max-wait=2m"})
class TwoCoordinatorsTest extends CoordinatorTest {
    private static final Map<String, Object> SAME_SETTINGS =
            Map.of("starling.dispatch.recheck-interval", "10m", "starling.dispatch.max-wait", "2m");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Autowired
    private Environment environment;

    @Autowired
    private WorkSignal signal;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void longPollsOnBothCoordinatorsWakeWhenWorkIsSubmitted() throws Exception {
        try (SecondCoordinator second = new SecondCoordinator(environment, SAME_SETTINGS);
                TestHost onFirst = volunteerHost("on-first", "primes");
                TestHost onSecond = TestHost.registered(second.grpcPort(), signUp("on-second"), "on-second", "primes")) {
            CompletableFuture<RequestWorkResponse> first = longPoll(onFirst);
            CompletableFuture<RequestWorkResponse> other = longPoll(onSecond);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> signal.waiting() == 1 && second.bean(WorkSignal.class).waiting() == 1);

            // split by whichever coordinator's splitter claims it first: one of the two wakeups crosses over
            api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":10000,\"chunkSize\":1000}}");

            assertThat(first.get(60, TimeUnit.SECONDS).getTasksList()).isNotEmpty();
            assertThat(other.get(60, TimeUnit.SECONDS).getTasksList()).isNotEmpty();
        }
    }

    @Test
    void aPasswordGuesserCountsItsFailuresOnEveryCoordinatorTogether() {
        // the second coordinator's clock is the system's: this one's is moved to the same time
        clock.advance(Duration.between(clock.instant(), Instant.now()));
        try (SecondCoordinator second = new SecondCoordinator(environment, SAME_SETTINGS)) {
            TestApi other = new TestApi(second.httpPort());
            // five attempts in all (starling.admin.login-attempts), spread over the two
            for (int i = 0; i < 5; i++) {
                TestApi guess = (i % 2 == 0 ? anonymous() : other).asAdmin("guess-" + i);
                assertThat(guess.get("/api/v1/hosts").status()).as("guess " + i).isEqualTo(401);
            }

            assertThat(api().get("/api/v1/hosts").status()).isEqualTo(429);
            assertThat(other.asAdmin(ADMIN_PASSWORD).get("/api/v1/hosts").status()).isEqualTo(429);
        } finally {
            // the other tests of this class log in from the same address; the second coordinator's clock cannot be
            // moved past the window
            jdbc.sql("DELETE FROM login_failure").update();
        }
    }

    private static CompletableFuture<RequestWorkResponse> longPoll(TestHost host) {
        // a thread of its own: the common pool may have a single thread on a small machine
        CompletableFuture<RequestWorkResponse> call = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                call.complete(host.stub(true).requestWork(
                        RequestWorkRequest.newBuilder().setMaxTasks(4).setWaitMillis(120_000).build()));
            } catch (RuntimeException e) {
                call.completeExceptionally(e);
            }
        });
        return call;
    }
}
