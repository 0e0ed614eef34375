package dev.starling.worker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a failed call tells the volunteer: the status in one line, and a cause they can check. */
class CallFailuresTest {
    private static StatusRuntimeException unavailable(String description, Throwable cause) {
        return Status.UNAVAILABLE.withDescription(description).withCause(cause).asRuntimeException();
    }

    @Test
    void aCoordinatorThatNeverAnsweredMayBeTheWrongAddressOneThatDidIsProbablyRestarting() {
        StatusRuntimeException refused = unavailable("io exception", new ConnectException("Connection refused"));

        assertThat(CallFailures.hint(refused, false)).contains("check that --coordinator names the coordinator's gRPC port");
        assertThat(CallFailures.hint(refused, true)).contains("it answered before: it is probably restarting")
                .doesNotContain("--coordinator");
    }

    @Test
    void aFailedHandshakeNamesTheCertificatesHostNameToo() {
        StatusRuntimeException handshake = unavailable("io exception\nChannel Pipeline: [SslHandler#0, ...]",
                new SSLHandshakeException("General OpenSslEngine problem"));

        assertThat(CallFailures.hint(handshake, true)).contains("check --coordinator-ca",
                "that the certificate names the host in --coordinator");
        assertThat(CallFailures.describe(handshake)).as("one line, without Netty's pipeline")
                .isEqualTo("UNAVAILABLE (io exception: General OpenSslEngine problem)");
    }
}
