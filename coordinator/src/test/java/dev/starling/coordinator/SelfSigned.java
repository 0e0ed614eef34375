package dev.starling.coordinator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} (and 127.0.0.1), made by the JDK's keytool for a test: the
 * coordinator's key store (PKCS12) and the certificate alone (PEM) for clients to trust.
 */
public record SelfSigned(Path keyStore, Path certificate, String password) {

    /** Makes the key pair and certificate in {@code dir}. */
    public static SelfSigned generate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve("coordinator.p12");
            Path certificate = dir.resolve("coordinator-ca.pem");
            String password = "test-tls-" + ProcessHandle.current().pid();
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(List.of(keytool, "-genkeypair", "-alias", "starling", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password));
            run(List.of(keytool, "-exportcert", "-rfc", "-alias", "starling", "-keystore", keyStore.toString(),
                    "-storepass", password, "-file", certificate.toString()));
            return new SelfSigned(keyStore, certificate, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    /** The coordinator's settings that serve HTTP and gRPC with this certificate (an SSL bundle named starling). */
    public Map<String, String> coordinatorSettings() {
        return Map.of(
                "spring.ssl.bundle.jks.starling.keystore.location", "file:" + keyStore.toAbsolutePath(),
                "spring.ssl.bundle.jks.starling.keystore.password", password,
                "spring.ssl.bundle.jks.starling.keystore.type", "PKCS12",
                "server.ssl.bundle", "starling",
                "spring.grpc.server.ssl.bundle", "starling");
    }

    /** A client's TLS context that trusts this certificate only. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("starling", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
