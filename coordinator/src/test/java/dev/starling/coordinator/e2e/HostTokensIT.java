package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.TestApi;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;

/**
 * A real worker process and its host token: the admin rotates it (the worker takes the new one, stores it and goes on
 * with its tasks) or revokes it (the worker registers again with its account key, as the same host, and goes on).
 */
class HostTokensIT {
    /** 6 work units of a noticeable time each, computed by one worker */
    private static final String INTEGRAL = "{\"app\":\"integrate\",\"params\":{\"function\":\"sin\",\"a\":0,"
            + "\"b\":3.141592653589793,\"intervals\":60000000,\"workUnits\":6},"
            + "\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}";

    @Test
    void aWorkerTakesARotatedTokenAndKeepsItsTasks(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            Running run = midJob(p);
            TestApi api = run.api();
            long job = run.job();
            long host = run.host();
            String before = storedToken(p.workDir("w"));

            assertThat(api.postRaw("/api/v1/admin/hosts/" + host + "/rotate-token", null, null).status()).isEqualTo(200);

            await().atMost(Duration.ofMinutes(1)).until(() -> !storedToken(p.workDir("w")).equals(before));
            assertThat(storedToken(p.workDir("w"))).startsWith(host + ".");
            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            JsonNode view = api.get("/api/v1/hosts/" + host).json();
            assertThat(view.get("tokenRotatedAt").isNull()).as("the new token is in use").isFalse();
            assertThat(view.get("tokenRotationAskedAt").isNull()).isTrue();
            assertThat(api.get("/api/v1/hosts").json().get("items").size()).as("still one host").isEqualTo(1);
            assertThat(resultsOfHost(api, job, host)).as("no task lost").containsOnly("VALID").hasSize(6);
        }
    }

    @Test
    void aWorkerWhoseTokenIsRevokedComesBackWithItsKeyAsTheSameHost(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            Running run = midJob(p);
            TestApi api = run.api();
            long job = run.job();
            long host = run.host();
            String before = storedToken(p.workDir("w"));

            assertThat(api.postRaw("/api/v1/admin/hosts/" + host + "/revoke-token", null, null).status()).isEqualTo(200);

            await().atMost(Duration.ofMinutes(1)).until(() -> !storedToken(p.workDir("w")).equals(before));
            assertThat(awaitFinal(api, job).get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/hosts/" + host).json().get("tokenRevokedAt").isNull()).isTrue();
            assertThat(api.get("/api/v1/hosts").json().get("items").size()).as("still one host").isEqualTo(1);
            assertThat(resultsOfHost(api, job, host)).as("no task lost").containsOnly("VALID").hasSize(6);
            assertThat(Files.readString(p.log("w"))).contains("registering again", "Registered again as host " + host);
        }
    }

    /** A coordinator and a worker "w" computing a task of a job. */
    private record Running(TestApi api, long job, long host) {}

    private static Running midJob(Processes p) throws IOException {
        p.coordinator();
        p.worker("w");
        TestApi api = p.api();
        long job = api.submit(INTEGRAL);
        long host = await().atMost(Duration.ofMinutes(2)).until(() -> hostId(api, "w"), id -> id > 0);
        await().atMost(Duration.ofMinutes(2)).until(() -> resultsOfHost(api, job, host).contains("IN_PROGRESS"));
        return new Running(api, job, host);
    }

    private static String storedToken(Path workDir) throws IOException {
        Properties identity = new Properties();
        identity.load(new StringReader(Files.readString(workDir.resolve("host.properties"))));
        return identity.getProperty("host.token", "");
    }

    private static JsonNode awaitFinal(TestApi api, long job) {
        return await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.job(job), j -> j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED"));
    }

    private static List<String> resultsOfHost(TestApi api, long job, long hostId) {
        List<String> states = new ArrayList<>();
        for (JsonNode wu : api.get("/api/v1/jobs/" + job + "/workunits?size=100").json().get("items")) {
            for (JsonNode r : wu.get("results")) {
                if (r.has("hostId") && r.get("hostId").asLong() == hostId) {
                    states.add(r.get("state").asString());
                }
            }
        }
        return states;
    }

    private static long hostId(TestApi api, String name) {
        for (JsonNode h : api.get("/api/v1/hosts").json().get("items")) {
            if (h.get("name").asString().equals(name)) {
                return h.get("id").asLong();
            }
        }
        return 0;
    }
}
