package dev.starling.worker.status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Asks the worker running on a work dir for its {@link Status}, over its status socket. */
public final class StatusClient {
    private StatusClient() {}

    /**
     * @throws NoWorkerException when no worker listens on the work dir's socket
     * @throws IllegalArgumentException when the answer is not a worker's status
     */
    public static Status read(Path workDir) throws IOException {
        Path path = workDir.resolve(StatusServer.SOCKET).toAbsolutePath();
        if (!Files.exists(path)) {
            throw new NoWorkerException("no worker is running with the work dir " + workDir + " (it has no "
                    + StatusServer.SOCKET + ")");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                text.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return Status.fromText(text.toString(StandardCharsets.UTF_8));
        } catch (java.net.SocketException e) {
            throw new NoWorkerException("no worker is running with the work dir " + workDir + " (" + e.getMessage()
                    + ")");
        }
    }

    /** Nobody answers on the work dir's socket. */
    public static final class NoWorkerException extends IOException {
        NoWorkerException(String message) {
            super(message);
        }
    }
}
