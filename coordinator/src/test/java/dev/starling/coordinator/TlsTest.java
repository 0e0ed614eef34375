package dev.starling.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The coordinator's HTTP and gRPC ports served with a certificate (self-signed, made for this test): clients that
 * trust it talk, plaintext and clients that do not trust it are refused.
 */
class TlsTest extends CoordinatorTest {
    static final SelfSigned CERTIFICATE = SelfSigned.generate(Path.of("target", "tls-test-" + UUID.randomUUID()));

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        CERTIFICATE.coordinatorSettings().forEach((k, v) -> registry.add(k, () -> v));
    }

    @Override
    protected TestApi anonymous() {
        return new TestApi("https://localhost:" + httpPort, null, HttpClient.newBuilder()
                .sslContext(CERTIFICATE.clientContext()).connectTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void theRestApiAnswersOverHttpsWithStrictTransportSecurity() {
        HttpResponse<String> apps = anonymous().exchange(anonymous().request("/api/v1/apps").GET().build());

        assertThat(apps.statusCode()).isEqualTo(200);
        assertThat(apps.headers().firstValue("Strict-Transport-Security")).isPresent();
        assertThat(api().get("/api/v1/hosts").status()).isEqualTo(200);
    }

    @Test
    void plainHttpAndClientsThatDoNotTrustTheCertificateAreRefused() {
        TestApi.Response plain;
        try {
            plain = new TestApi(httpPort).get("/api/v1/apps");
        } catch (UncheckedIOException e) {
            plain = null; // the connection was closed: refused as well
        }
        assertThat(plain == null || plain.status() == 400).as("plain HTTP on the TLS port").isTrue();
        TestApi untrusting = new TestApi("https://localhost:" + httpPort, null, HttpClient.newHttpClient());
        assertThatThrownBy(() -> untrusting.get("/api/v1/apps")).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void aWorkerRegistersOverTlsAndPlaintextOrAnUntrustedCertificateIsUnavailable() throws IOException, InterruptedException {
        String key = signUp("tls-volunteer");
        try (TestHost secure = new TestHost(Grpc.newChannelBuilderForAddress("localhost", grpcPort(),
                        TlsChannelCredentials.newBuilder().trustManager(CERTIFICATE.certificate().toFile()).build()).build(),
                        key);
                TestHost plain = new TestHost(grpcPort(), key);
                TestHost untrusting = new TestHost(Grpc.newChannelBuilderForAddress("localhost", grpcPort(),
                        TlsChannelCredentials.create()).build(), key)) {
            secure.register("tls-host", "primes");

            assertThat(secure.id()).isPositive();
            assertThat(secure.requestWork(1)).isEmpty();
            for (TestHost refused : new TestHost[] {plain, untrusting}) {
                assertThatThrownBy(() -> refused.register("no", "primes")).isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            }
        }
    }
}
