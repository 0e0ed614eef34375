package dev.starling.coordinator.e2e;

import static dev.starling.coordinator.CoordinatorTest.freePort;
import static dev.starling.coordinator.e2e.EndToEndIT.assertCreditedOnce;
import static dev.starling.coordinator.e2e.EndToEndIT.awaitFinal;
import static dev.starling.coordinator.e2e.EndToEndIT.name;
import static dev.starling.coordinator.e2e.EndToEndIT.workUnits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestApi;
import dev.starling.coordinator.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;

/**
 * Coordinator replicas as production runs them: three coordinator processes on one external PostgreSQL
 * ({@code DATABASE_URL}) sharing one blobs directory, workers spread across them, one coordinator killed with
 * SIGKILL mid-job and started again.
 */
class ThreeCoordinatorsIT {
    /** 40 work units that take a noticeable time each, so that the job is running when a coordinator dies */
    private static final String SLOW_INTEGRAL = "{\"app\":\"integrate\",\"params\":{\"function\":\"sin\","
            + "\"a\":0,\"b\":3.141592653589793,\"intervals\":400000000,\"workUnits\":40}}";

    /** One coordinator process: its name (log and data dir) and ports. */
    private record Replica(String name, int httpPort, int grpcPort) {
        TestApi api() {
            return new TestApi(httpPort).asAdmin(CoordinatorTest.ADMIN_PASSWORD);
        }

        String address() {
            return "localhost:" + grpcPort;
        }

        String[] settings(Path dir, Path blobs) {
            // leases long enough that a loaded machine's late heartbeats do not time tasks out; the tasks of the
            // killed coordinator's workers are reissued when theirs end
            return new String[] {"--server.port=" + httpPort, "--spring.grpc.server.port=" + grpcPort,
                    "--starling.data-dir=" + dir.resolve(name + "-data"), "--starling.blobs.dir=" + blobs,
                    "--starling.dispatch.lease=15s"};
        }
    }

    @Test
    void aJobFinishesRightWhenOneOfThreeCoordinatorsIsKilledAndRestartedMidJob(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.environment("DATABASE_URL", TestDatabase.create());
            Path dir = p.folder("coordinators");
            Path blobs = p.folder("shared-blobs");
            List<Replica> replicas = List.of(new Replica("c1", freePort(), freePort()),
                    new Replica("c2", freePort(), freePort()), new Replica("c3", freePort(), freePort()));
            // the first migrates the database and creates the admin; the other two start together
            Process first = start(p, replicas.get(0), dir, blobs);
            List<Process> others = new ArrayList<>();
            for (Replica r : replicas.subList(1, 3)) {
                others.add(p.start(r.name(), p.coordinatorCommand(r.settings(dir, blobs))));
            }
            for (Replica r : replicas.subList(1, 3)) {
                awaitHealthy(r);
            }
            assertThat(others).allMatch(Process::isAlive);
            Replica killed = replicas.get(0);
            // two workers on the coordinator that will be killed, one on each of the others
            String[][] workers = {{"w1", "c1"}, {"w2", "c1"}, {"w3", "c2"}, {"w4", "c3"}};
            for (String[] w : workers) {
                Replica r = replicas.stream().filter(x -> x.name().equals(w[1])).findFirst().orElseThrow();
                p.workerAt(r.address(), CoordinatorTest.signUp(r.api(), w[0]), w[0]);
            }
            // a blob uploaded to one is served by another (the shared directory)
            byte[] text = "replicas share their blobs\n".getBytes(StandardCharsets.UTF_8);
            String blob = replicas.get(1).api().upload(text);
            assertThat(replicas.get(2).api().get("/api/v1/blobs/" + blob).body()).isEqualTo(new String(text,
                    StandardCharsets.UTF_8));
            long job = replicas.get(2).api().submit(SLOW_INTEGRAL);
            TestApi api = replicas.get(1).api();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> api.job(job).get("workUnits").get("validated").asLong() >= 5);

            Processes.kill(first);
            // the others go on while it is down: its workers' calls fail until it is back
            long before = api.job(job).get("workUnits").get("validated").asLong();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.job(job).get("workUnits").get("validated").asLong() > before);
            start(p, killed, dir, blobs);

            for (Replica r : replicas) {
                assertThat(awaitFinal(r.api(), job).get("state").asString()).as("the job as " + r.name() + " sees it")
                        .isEqualTo("SUCCEEDED");
            }
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("integral").asDouble())
                    .isCloseTo(2.0, Offset.offset(1e-9));
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).hasSize(40)
                    .allSatisfy(wu -> assertThat(wu.get("state").asString()).isEqualTo("VALIDATED"));
            assertCreditedOnce(api, units);
            assertThat(api.get("/api/v1/jobs").json().get("total").asLong()).isEqualTo(1);
            // every worker computed, whichever coordinator it talked to
            for (JsonNode h : api.get("/api/v1/hosts").json().get("items")) {
                assertThat(h.get("validCount").asLong()).as("valid results of " + h.get("name").asString()).isPositive();
            }
        }
    }

    private static Process start(Processes p, Replica r, Path dir, Path blobs) throws Exception {
        return p.coordinatorNamed(r.name(), new TestApi(r.httpPort()), r.settings(dir, blobs));
    }

    private static void awaitHealthy(Replica r) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> new TestApi(r.httpPort()).get("/api/v1/apps").status() == 200);
    }
}
