package dev.starling.worker.testing;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Peer;
import dev.starling.sdk.ContentAddress;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.BlobManifest;
import dev.starling.worker.peer.cache.CacheListener;
import dev.starling.worker.peer.transfer.PeerServer;
import dev.starling.worker.peer.transfer.RateLimiter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** An honest peer in the test's JVM: a blob cache of its own and the real {@link PeerServer} on a loopback port. */
public final class TestPeer implements AutoCloseable {
    private final long hostId;
    private final BlobCache cache;
    private final PeerServer server;

    public TestPeer(long hostId, Path dir, TestGrants grants) {
        this.hostId = hostId;
        this.cache = BlobCache.open(dir, 64L * TestBlobs.CHUNK, CacheListener.NONE, Clock.systemUTC());
        this.server = PeerServer.start(0, cache, grants.verifier(), RateLimiter.of(0));
    }

    public BlobCache cache() {
        return cache;
    }

    /** Holds all of {@code content}. */
    public TestPeer holding(byte[] content) {
        try {
            cache.store(new ByteArrayInputStream(content));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds only the named chunks of {@code content}, as a peer still fetching it. */
    public TestPeer holdingChunks(byte[] content, int... chunks) {
        try {
            BlobManifest manifest = manifestOf(content);
            cache.prepareFetch(manifest);
            for (int chunk : chunks) {
                if (!cache.writeChunk(manifest.blobId(), chunk, TestBlobs.chunk(content, chunk))) {
                    throw new IllegalStateException("chunk " + chunk + " did not verify");
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest of {@code content}, computed here. */
    public static BlobManifest manifestOf(byte[] content) {
        List<ByteString> leaves = new ArrayList<>();
        for (int i = 0; i < BlobManifest.chunkCount(content.length); i++) {
            leaves.add(ByteString.copyFrom(sha256(TestBlobs.chunk(content, i))));
        }
        return new BlobManifest(ContentAddress.of(content), content.length, leaves);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String address() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.port();
    }

    public Peer asPeer() {
        return Peer.newBuilder().setHostId(hostId).setAddress(address()).build();
    }

    public long bytesServed() {
        return server.bytesServed();
    }

    @Override
    public void close() {
        server.close();
    }
}
