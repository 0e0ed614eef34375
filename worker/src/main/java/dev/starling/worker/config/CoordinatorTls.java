package dev.starling.worker.config;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the worker talks to its coordinator: plaintext, or TLS with the coordinator's certificate checked against
 * the system's trust store or against a CA file the project hands out (PEM). The certificate must name the host
 * given in {@code --coordinator}.
 *
 * @param enabled whether to use TLS
 * @param caFile the CA certificates (PEM) to trust instead of the system's; empty for the system's
 */
public record CoordinatorTls(boolean enabled, Optional<Path> caFile) {
    public static final CoordinatorTls PLAINTEXT = new CoordinatorTls(false, Optional.empty());

    public CoordinatorTls {
        if (caFile.isPresent() && !enabled) {
            throw new IllegalArgumentException("a CA file means TLS");
        }
    }

    /** The credentials of the coordinator's channel. */
    public ChannelCredentials credentials() {
        if (!enabled) {
            return InsecureChannelCredentials.create();
        }
        if (caFile.isEmpty()) {
            return TlsChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().trustManager(caFile.get().toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the coordinator's CA certificates from " + caFile.get()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return !enabled ? "plaintext" : caFile.map(f -> "TLS, trusting " + f).orElse("TLS, the system's trust store");
    }
}
