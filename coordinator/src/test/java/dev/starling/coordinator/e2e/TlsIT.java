package dev.starling.coordinator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.SelfSigned;
import dev.starling.coordinator.TestApi;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A real coordinator serving HTTPS and gRPC over TLS with a self-signed certificate, real workers that trust it
 * (--coordinator-ca) computing a job, and a worker that checks the certificate against the system's trust store
 * refusing to talk.
 */
class TlsIT {

    @Test
    void workersTrustingTheCoordinatorsCertificateComputeAJobAndOthersRefuseIt(TestInfo info) throws Exception {
        try (Processes p = new Processes(info.getTestMethod().orElseThrow().getName())) {
            p.tls(SelfSigned.generate(p.dataDir().resolveSibling("tls")));
            p.coordinator();
            p.worker("w1");
            p.worker("w2");
            p.worker("suspicious", "--tls");
            TestApi api = p.api();

            long job = api.submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":100000,\"chunkSize\":10000}}");

            String state = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.job(job).get("state").asString(), s -> s.matches("SUCCEEDED|FAILED|CANCELLED"));
            assertThat(state).isEqualTo("SUCCEEDED");
            assertThat(api.get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(9592);
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(p.log("suspicious"))
                    .contains("the TLS handshake failed"));
            assertThat(api.get("/api/v1/hosts").json().get("items").toString()).doesNotContain("suspicious");
        }
    }
}
