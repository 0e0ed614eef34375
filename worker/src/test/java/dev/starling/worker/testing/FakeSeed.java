package dev.starling.worker.testing;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Manifest;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.worker.peer.cache.Bitfields;
import dev.starling.worker.peer.cache.BlobManifest;
import dev.starling.worker.peer.transfer.FetchTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordinator's PeerService as a test needs it: the seed of last resort for the blobs it is given, which
 * can answer a chunk with seeds once (super-seeding) and serves the data when asked again. It checks tokens
 * like a peer and records every chunk it was asked for. Also usable as a peer that lies: {@link #corrupt}
 * makes it serve a chunk with one byte flipped.
 */
public final class FakeSeed extends PeerServiceGrpc.PeerServiceImplBase {
    /** One chunk asked for. */
    public record Asked(String blobId, int chunk) {}

    private final FetchTokens tokens;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<Asked, List<Peer>> redirects = new ConcurrentHashMap<>();
    private final Map<Asked, Boolean> corrupted = new ConcurrentHashMap<>();
    private final Queue<Asked> asked = new ConcurrentLinkedQueue<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicInteger chunkCalls = new AtomicInteger();
    private volatile CountDownLatch gate;

    public FakeSeed(TestGrants grants) {
        this.tokens = grants.verifier();
    }

    public FakeSeed holding(byte[] content) {
        blobs.put(TestBlobs.id(content), content.clone());
        return this;
    }

    /** The first request for this chunk is answered with {@code seeds} instead of data. */
    public FakeSeed redirectOnce(byte[] content, int chunk, Peer... seeds) {
        redirects.put(new Asked(TestBlobs.id(content), chunk), List.of(seeds));
        return this;
    }

    /** This chunk is always served with its first byte flipped. */
    public FakeSeed corrupt(byte[] content, int chunk) {
        corrupted.put(new Asked(TestBlobs.id(content), chunk), true);
        return this;
    }

    /** FetchChunks calls wait until {@link #open} is called. */
    public FakeSeed closeGate() {
        gate = new CountDownLatch(1);
        return this;
    }

    public void open() {
        gate.countDown();
    }

    /** FetchChunks calls received so far (counted before they wait at the gate). */
    public int chunkCalls() {
        return chunkCalls.get();
    }

    public List<Asked> asked() {
        return List.copyOf(asked);
    }

    public long timesAsked(byte[] content, int chunk) {
        Asked a = new Asked(TestBlobs.id(content), chunk);
        return asked.stream().filter(a::equals).count();
    }

    public long bytesServed() {
        return bytesServed.get();
    }

    public List<String> tokensSeen() {
        return List.copyOf(tokensSeen);
    }

    @Override
    public void getManifest(BlobRequest request, StreamObserver<Manifest> answer) {
        try {
            answer.onNext(TestPeer.manifestOf(held(request.getBlobId(), request.getToken())).toProto());
            answer.onCompleted();
        } catch (StatusRuntimeException e) {
            answer.onError(e);
        }
    }

    @Override
    public void getHave(BlobRequest request, StreamObserver<Have> answer) {
        try {
            byte[] content = held(request.getBlobId(), request.getToken());
            int chunks = BlobManifest.chunkCount(content.length);
            BitSet all = new BitSet();
            all.set(0, chunks);
            answer.onNext(Have.newBuilder().setChunkCount(chunks).setBitfield(Bitfields.toByteString(all, chunks))
                    .setComplete(true).build());
            answer.onCompleted();
        } catch (StatusRuntimeException e) {
            answer.onError(e);
        }
    }

    @Override
    public void fetchChunks(FetchChunksRequest request, StreamObserver<Chunk> answer) {
        chunkCalls.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.onError(Status.CANCELLED.asRuntimeException());
                return;
            }
        }
        byte[] content;
        try {
            content = held(request.getBlobId(), request.getToken());
        } catch (StatusRuntimeException e) {
            answer.onError(e);
            return;
        }
        for (int index : request.getChunksList()) {
            Asked a = new Asked(request.getBlobId(), index);
            asked.add(a);
            List<Peer> seeds = redirects.remove(a);
            if (seeds != null) {
                answer.onNext(Chunk.newBuilder().setIndex(index).addAllSeeds(seeds).build());
                continue;
            }
            byte[] data = TestBlobs.chunk(content, index);
            if (corrupted.containsKey(a)) {
                data[0] ^= 1;
            }
            bytesServed.addAndGet(data.length);
            answer.onNext(Chunk.newBuilder().setIndex(index).setData(ByteString.copyFrom(data)).build());
        }
        answer.onCompleted();
    }

    private byte[] held(String blobId, String token) {
        tokensSeen.add(token);
        tokens.check(token, blobId);
        byte[] content = blobs.get(blobId);
        if (content == null) {
            throw Status.NOT_FOUND.withDescription("no such blob here: " + blobId).asRuntimeException();
        }
        return content;
    }
}
