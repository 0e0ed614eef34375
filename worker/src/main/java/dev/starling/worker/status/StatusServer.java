package dev.starling.worker.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local-only endpoint {@code starling worker status} reads: a Unix domain socket, {@code <work-dir>/status.sock}
 * (the work dir is the volunteer's own, closed to other users), that answers every connection with the worker's
 * {@link Status} and closes it. Nothing is read from the caller, so there is nothing to attack but a snapshot.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
    public static final String SOCKET = "status.sock";

    private final Path path;
    private final ServerSocketChannel channel;
    private final Thread thread;

    private StatusServer(Path path, ServerSocketChannel channel, Supplier<Status> status) {
        this.path = path;
        this.channel = channel;
        this.thread = Thread.ofPlatform().daemon().name("starling-status").unstarted(() -> serve(status));
    }

    /**
     * Starts serving {@code status} at {@code <workDir>/status.sock}; null (with a warning) when this platform or
     * path cannot have one: the worker runs on without it.
     */
    public static StatusServer start(Path workDir, Supplier<Status> status) {
        Path path = workDir.resolve(SOCKET).toAbsolutePath();
        try {
            Files.deleteIfExists(path); // left by a worker that was killed (the work dir lock says none runs now)
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(path));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            StatusServer server = new StatusServer(path, channel, status);
            server.thread.start();
            return server;
        } catch (IOException | RuntimeException e) {
            log.warn("'starling worker status' will not reach this worker: cannot listen on {} ({})", path,
                    e.getMessage());
            return null;
        }
    }

    private void serve(Supplier<Status> status) {
        while (channel.isOpen()) {
            try (SocketChannel client = channel.accept()) {
                ByteBuffer answer = ByteBuffer.wrap(status.get().toText().getBytes(StandardCharsets.UTF_8));
                while (answer.hasRemaining()) {
                    client.write(answer);
                }
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                log.debug("A status request failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("Closing the status socket: {}", e.toString());
        }
    }
}
