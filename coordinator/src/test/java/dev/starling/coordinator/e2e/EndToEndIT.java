package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;

/**
 * The whole platform as it runs for real: a coordinator process on its embedded PostgreSQL and worker
 * processes talking gRPC over loopback. Processes are killed with SIGKILL where the test says so.
 */
class EndToEndIT {
    /** primes below 2 * 10^7 */
    private static final long PI_2E7 = 1_270_607L;
    private static final String PRIMES_2E7 =
            "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":20000000,\"chunkSize\":500000}}";
    /** 40 work units that take a noticeable time each, so a process can be killed mid-task */
    private static final String SLOW_INTEGRAL = "{\"app\":\"integrate\",\"params\":{\"function\":\"sin\","
            + "\"a\":0,\"b\":3.141592653589793,\"intervals\":400000000,\"workUnits\":40}}";

    @Test
    void threeWorkersComputeTheRightAnswerWithAQuorumOfDistinctHosts(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator();
            for (int i = 1; i <= 3; i++) {
                p.worker("w" + i);
            }
            TestApi api = p.api();
            long job = api.submit(PRIMES_2E7);

            JsonNode done = awaitFinal(api, job);

            assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(PI_2E7);
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).hasSize(40).allSatisfy(wu -> {
                assertThat(wu.get("state").asString()).isEqualTo("VALIDATED");
                List<Long> validHosts = new ArrayList<>();
                wu.get("results").forEach(r -> {
                    if (r.get("state").asString().equals("VALID")) {
                        validHosts.add(r.get("hostId").asLong());
                    }
                });
                assertThat(validHosts).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
            });
            assertCreditedOnce(api, units);
        }
    }

    @Test
    void aWorkerReturningWrongAnswersIsOutvoted(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator();
            p.worker("honest-1");
            p.worker("honest-2");
            p.worker("liar", "--inject-fault=wrong-output");
            TestApi api = p.api();
            long job = api.submit(PRIMES_2E7);

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");

            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(PI_2E7);
            long liar = hostId(api, "liar");
            Map<String, Integer> liarStates = new HashMap<>();
            Set<String> honestStates = new HashSet<>();
            for (JsonNode wu : workUnits(api, job)) {
                for (JsonNode r : wu.get("results")) {
                    if (!r.hasNonNull("hostId")) {
                        continue; // never sent (a spot check cancelled when the job ended), so no host's
                    }
                    if (r.get("hostId").asLong() == liar) {
                        liarStates.merge(r.get("state").asString(), 1, Integer::sum);
                    } else {
                        honestStates.add(r.get("state").asString());
                    }
                }
            }
            assertThat(liarStates).containsKey("INVALID").doesNotContainKey("VALID");
            assertThat(honestStates).doesNotContain("INVALID");
            JsonNode liarHost = host(api, liar);
            assertThat(liarHost.get("credit").asDouble()).isZero();
            assertThat(liarHost.get("invalidCount").asLong()).isEqualTo(liarStates.get("INVALID").longValue());
        }
    }

    @Test
    void theTasksOfAKilledWorkerTimeOutAndAreReissued(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator();
            p.worker("w1");
            p.worker("w2");
            // a task takes the others a fraction of a second; held to 5% of a core, the victim is still computing its
            // task when it is killed, not already reporting it
            Process victim = p.worker("victim", "--cpu-limit", "5");
            TestApi api = p.api();
            long job = api.submit(SLOW_INTEGRAL);

            long victimId = await().atMost(Duration.ofMinutes(2)).until(() -> hostIdOrZero(api, "victim"), id -> id > 0);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> resultsOfHost(api, job, victimId).contains("IN_PROGRESS"));
            Processes.kill(victim);

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(resultsOfHost(api, job, victimId)).contains("TIMED_OUT");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("integral").asDouble())
                    .isCloseTo(2.0, Offset.offset(1e-9));
            assertThat(host(api, victimId).get("timedOutCount").asLong()).isPositive();
        }
    }

    @Test
    void aCoordinatorKilledMidJobRestartsOnItsDataAndFinishesWithNothingLostOrCountedTwice(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            Process coordinator = p.coordinator();
            for (int i = 1; i <= 3; i++) {
                p.worker("w" + i);
            }
            TestApi api = p.api();
            long job = api.submit(SLOW_INTEGRAL);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> api.job(job).get("workUnits").get("validated").asLong() >= 5);

            Processes.kill(coordinator); // its PostgreSQL is left running, orphaned
            p.coordinator();

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("integral").asDouble())
                    .isCloseTo(2.0, Offset.offset(1e-9));
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).hasSize(40)
                    .allSatisfy(wu -> assertThat(wu.get("state").asString()).isEqualTo("VALIDATED"));
            assertCreditedOnce(api, units);
            assertThat(api.get("/api/v1/jobs").json().get("total").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aWorkerKilledMidTaskResumesItFromItsCheckpointAfterARestart(TestInfo info) throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator("--starling.dispatch.lease=5m"); // the restarted worker comes back well within the lease
            Process first = p.worker("w", "--checkpoint-interval=1s");
            TestApi api = p.api();
            // one long work unit (primes below 4 * 10^9, seconds of CPU), checkpointed every second
            long job = api.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000000000,"
                    + "\"chunkSize\":4000000000},\"redundancy\":{\"quorum\":1}}");
            // killed once a checkpoint is on disk: 30% done alone is not enough, a fast machine gets there in
            // less than the first checkpoint interval
            Path journal = p.workDir("w").resolve("tasks");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> progressOf(api, job) >= 0.3 && inJournal(journal, "checkpoint") == 1);

            Processes.kill(first);
            Files.writeString(p.log("w"), "---- killed with SIGKILL, started again ----\n", StandardOpenOption.APPEND);
            p.worker("w", "--checkpoint-interval=1s");

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(189_961_812L);
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).singleElement().satisfies(wu -> assertThat(wu.get("results")).singleElement()
                    .satisfies(r -> assertThat(r.get("state").asString()).isEqualTo("VALID")));
            String afterRestart = Files.readString(p.log("w")).split("---- killed with SIGKILL")[1];
            assertThat(afterRestart).containsPattern("Resuming task \\d+ \\(primes, job " + job
                    + "\\) from its checkpoint at [1-9]\\d*%");
            assertCreditedOnce(api, units);
        }
    }

    @Test
    void aWorkerStoppedMidTaskParksItAndResumesItFromItsCheckpointAfterTheLeaseWouldHaveEnded(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            p.coordinator("--starling.dispatch.heartbeat-interval=1s", "--starling.dispatch.lease=4s");
            Process first = p.worker("w", "--checkpoint-interval=1h"); // the stop asks for the checkpoint
            TestApi api = p.api();
            long job = api.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":4000000000,"
                    + "\"chunkSize\":4000000000},\"redundancy\":{\"quorum\":1}}");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> progressOf(api, job) >= 0.3);

            first.destroy(); // SIGTERM
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Files.writeString(p.log("w"), "---- stopped with SIGTERM, started again ----\n", StandardOpenOption.APPEND);
            JsonNode parked = workUnits(api, job).get(0).get("results").get(0);
            assertThat(parked.get("state").asString()).isEqualTo("IN_PROGRESS");
            assertThat(parked.get("suspended").asBoolean()).isTrue();
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)) // two leases
                    .until(() -> workUnits(api, job).get(0).get("results").get(0).get("state").asString()
                            .equals("IN_PROGRESS"));
            p.worker("w");

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(189_961_812L);
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).singleElement().satisfies(wu -> assertThat(wu.get("results")).singleElement()
                    .satisfies(r -> assertThat(r.get("state").asString()).isEqualTo("VALID")));
            String log = Files.readString(p.log("w"));
            assertThat(log.split("---- stopped with SIGTERM")[0]).contains("Keeping 1 task to resume from its checkpoint");
            assertThat(log.split("---- stopped with SIGTERM")[1]).containsPattern("Resuming task \\d+ \\(primes, job "
                    + job + "\\) from its checkpoint at [1-9]\\d*%");
            assertCreditedOnce(api, units);
        }
    }

    @Test
    void resultsFinishedWhileTheCoordinatorWasDownAreReportedOnceAfterTheWorkerWasKilled(TestInfo info)
            throws Exception {
        try (Processes p = new Processes(name(info))) {
            Process coordinator = p.coordinator("--starling.dispatch.lease=5m");
            Process first = p.worker("w");
            TestApi api = p.api();
            // primes below 10^10 in five work units of a few seconds each
            long job = api.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":10000000000,"
                    + "\"chunkSize\":2000000000},\"redundancy\":{\"quorum\":1}}");
            // the worker holds a task once it is in its journal (a task IN_PROGRESS on the coordinator may still be
            // on its way to the worker, and lost with the coordinator's kill)
            Path journal = p.workDir("w").resolve("tasks");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inJournal(journal, "task") >= 1);

            Processes.kill(coordinator); // the worker finishes its task but cannot report it
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inJournal(journal, "result") >= 1);
            Processes.kill(first);
            long unreported = inJournal(journal, "result");

            p.coordinator("--starling.dispatch.lease=5m");
            Files.writeString(p.log("w"), "---- killed with SIGKILL, started again ----\n", StandardOpenOption.APPEND);
            p.worker("w");

            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(455_052_511L);
            List<JsonNode> units = workUnits(api, job);
            assertThat(units).hasSize(5).allSatisfy(wu -> assertThat(wu.get("results")).as("no replacement replica")
                    .singleElement().satisfies(r -> assertThat(r.get("state").asString()).isEqualTo("VALID")));
            assertCreditedOnce(api, units);
            String afterRestart = Files.readString(p.log("w")).split("---- killed with SIGKILL")[1];
            assertThat(afterRestart).contains("The journal holds " + unreported + " results not yet reported")
                    .doesNotContain("Resuming task");
            await().atMost(Duration.ofMinutes(1)).until(() -> inJournal(journal, "result") == 0);
        }
    }

    /**
     * Tasks in a worker's journal with {@code file}: {@code "result"} for those finished and not yet
     * acknowledged, {@code "checkpoint"} for those with a checkpoint to resume from.
     */
    static long inJournal(Path journal, String file) throws IOException {
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (var entries = Files.list(journal)) {
            return entries.filter(e -> Files.exists(e.resolve(file))).count();
        }
    }

    /** The progress of the job's task in progress, as its worker's heartbeats said (0 when none is). */
    private static double progressOf(TestApi api, long job) {
        return workUnits(api, job).stream().flatMap(wu -> iterable(wu.get("results")).stream())
                .filter(r -> r.has("progress")).mapToDouble(r -> r.get("progress").asDouble()).max().orElse(0);
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> all = new ArrayList<>();
        array.forEach(all::add);
        return all;
    }

    /** Every host's credit and valid count equal what its VALID results earned: nothing granted twice. */
    static void assertCreditedOnce(TestApi api, List<JsonNode> units) {
        Map<Long, Double> credit = new HashMap<>();
        Map<Long, Long> valid = new HashMap<>();
        for (JsonNode wu : units) {
            for (JsonNode r : wu.get("results")) {
                if (r.get("state").asString().equals("VALID")) {
                    long host = r.get("hostId").asLong();
                    credit.merge(host, r.get("credit").asDouble(), Double::sum);
                    valid.merge(host, 1L, Long::sum);
                }
            }
        }
        for (JsonNode h : api.get("/api/v1/hosts").json().get("items")) {
            long id = h.get("id").asLong();
            assertThat(h.get("validCount").asLong()).as("valid results of host " + id).isEqualTo(valid.getOrDefault(id, 0L));
            assertThat(h.get("credit").asDouble()).as("credit of host " + id)
                    .isCloseTo(credit.getOrDefault(id, 0.0), Offset.offset(1e-9));
        }
    }

    static JsonNode awaitFinal(TestApi api, long job) {
        return await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.job(job), j -> j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED"));
    }

    static List<JsonNode> workUnits(TestApi api, long job) {
        List<JsonNode> all = new ArrayList<>();
        api.get("/api/v1/jobs/" + job + "/workunits?size=500").json().get("items").forEach(all::add);
        return all;
    }

    static List<String> resultsOfHost(TestApi api, long job, long hostId) {
        List<String> states = new ArrayList<>();
        for (JsonNode wu : workUnits(api, job)) {
            for (JsonNode r : wu.get("results")) {
                if (r.has("hostId") && r.get("hostId").asLong() == hostId) {
                    states.add(r.get("state").asString());
                }
            }
        }
        return states;
    }

    private static long hostIdOrZero(TestApi api, String name) {
        for (JsonNode h : api.get("/api/v1/hosts").json().get("items")) {
            if (h.get("name").asString().equals(name)) {
                return h.get("id").asLong();
            }
        }
        return 0;
    }

    private static long hostId(TestApi api, String name) {
        long id = hostIdOrZero(api, name);
        assertThat(id).as("host " + name + " registered").isPositive();
        return id;
    }

    static JsonNode host(TestApi api, long id) {
        for (JsonNode h : api.get("/api/v1/hosts").json().get("items")) {
            if (h.get("id").asLong() == id) {
                return h;
            }
        }
        throw new AssertionError("no host " + id);
    }

    static String name(TestInfo info) {
        return info.getTestMethod().orElseThrow().getName();
    }
}
