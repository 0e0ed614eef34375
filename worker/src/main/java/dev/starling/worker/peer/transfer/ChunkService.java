package dev.starling.worker.peer.transfer;

import com.google.protobuf.UnsafeByteOperations;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Manifest;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.worker.peer.cache.Bitfields;
import dev.starling.worker.peer.cache.BlobCache;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PeerService this worker offers other workers: the manifest, the bitfield and the verified chunks of
 * the blobs in its cache, including those it is still fetching. Every call must carry a fetch token for the
 * blob it names, checked locally ({@link FetchTokens}). Chunks are sent as fast as the caller reads them and
 * the upload cap allows, each on a sender thread of its own, so that a slow reader holds no gRPC thread.
 */
final class ChunkService extends PeerServiceGrpc.PeerServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ChunkService.class);
    static final int MAX_CHUNKS_PER_CALL = 16;

    private final BlobCache cache;
    private final FetchTokens tokens;
    private final RateLimiter limiter;
    private final Executor senders;
    private final UnaryOperator<byte[]> outgoing;
    private final LongAdder served = new LongAdder();

    /** @param outgoing what every chunk goes through on its way out: nothing but an injected fault changes it */
    ChunkService(BlobCache cache, FetchTokens tokens, RateLimiter limiter, Executor senders,
            UnaryOperator<byte[]> outgoing) {
        this.outgoing = outgoing;
        this.cache = cache;
        this.tokens = tokens;
        this.limiter = limiter;
        this.senders = senders;
    }

    long bytesServed() {
        return served.sum();
    }

    @Override
    public void getManifest(BlobRequest request, StreamObserver<Manifest> answer) {
        try {
            tokens.check(request.getToken(), request.getBlobId());
            answer.onNext(held(request.getBlobId()).manifest().toProto());
            answer.onCompleted();
        } catch (StatusRuntimeException refused) {
            answer.onError(refused);
        }
    }

    @Override
    public void getHave(BlobRequest request, StreamObserver<Have> answer) {
        try {
            tokens.check(request.getToken(), request.getBlobId());
            BlobCache.Holding holding = held(request.getBlobId());
            int chunks = holding.manifest().chunkCount();
            answer.onNext(Have.newBuilder()
                    .setChunkCount(chunks)
                    .setBitfield(Bitfields.toByteString(holding.verified(), chunks))
                    .setComplete(holding.complete())
                    .build());
            answer.onCompleted();
        } catch (StatusRuntimeException refused) {
            answer.onError(refused);
        }
    }

    @Override
    public void fetchChunks(FetchChunksRequest request, StreamObserver<Chunk> answer) {
        ChunkStream stream;
        try {
            tokens.check(request.getToken(), request.getBlobId());
            BlobCache.Holding holding = held(request.getBlobId());
            stream = new ChunkStream((ServerCallStreamObserver<Chunk>) answer, request.getBlobId(),
                    wanted(request.getChunksList(), holding.manifest().chunkCount()));
        } catch (StatusRuntimeException refused) {
            answer.onError(refused);
            return;
        }
        try {
            senders.execute(stream);
        } catch (RejectedExecutionException stopping) {
            answer.onError(Status.UNAVAILABLE.withDescription("this worker is shutting down").asRuntimeException());
        }
    }

    private BlobCache.Holding held(String blobId) {
        return cache.holding(blobId).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("this worker holds no part of blob " + blobId).asRuntimeException());
    }

    private static List<Integer> wanted(List<Integer> chunks, int chunkCount) {
        if (chunks.size() > MAX_CHUNKS_PER_CALL) {
            throw Status.INVALID_ARGUMENT.withDescription("at most " + MAX_CHUNKS_PER_CALL + " chunks per call; "
                    + chunks.size() + " were asked for").asRuntimeException();
        }
        for (int index : chunks) {
            if (index < 0 || index >= chunkCount) {
                throw Status.INVALID_ARGUMENT.withDescription("chunk " + Integer.toUnsignedString(index)
                        + " does not exist: the blob has " + chunkCount + " chunks").asRuntimeException();
            }
        }
        return List.copyOf(new LinkedHashSet<>(chunks));
    }

    /** One FetchChunks answer: waits for the caller to be ready for each chunk, then for the upload cap. */
    private final class ChunkStream implements Runnable {
        private final ServerCallStreamObserver<Chunk> call;
        private final String blobId;
        private final List<Integer> chunks;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private volatile boolean cancelled;

        ChunkStream(ServerCallStreamObserver<Chunk> call, String blobId, List<Integer> chunks) {
            this.call = call;
            this.blobId = blobId;
            this.chunks = chunks;
            call.setOnReadyHandler(this::wake);
            call.setOnCancelHandler(() -> {
                cancelled = true;
                wake();
            });
        }

        @Override
        public void run() {
            try {
                for (int index : chunks) {
                    if (!awaitReady()) {
                        return;
                    }
                    Optional<byte[]> held = cache.readChunk(blobId, index);
                    if (held.isEmpty()) {
                        continue; // not held (yet): the caller asks someone else
                    }
                    byte[] bytes = outgoing.apply(held.get());
                    limiter.acquire(bytes.length);
                    if (cancelled) {
                        return;
                    }
                    call.onNext(Chunk.newBuilder().setIndex(index).setData(UnsafeByteOperations.unsafeWrap(bytes)).build());
                    served.add(bytes.length);
                }
                call.onCompleted();
            } catch (InterruptedException e) {
                call.onError(Status.UNAVAILABLE.withDescription("this worker is shutting down").asRuntimeException());
            } catch (StatusRuntimeException callerLeft) {
                log.debug("A peer stopped reading blob {}: {}", blobId, callerLeft.getStatus());
            } catch (RuntimeException bug) {
                log.error("Serving blob {} to a peer failed", blobId, bug);
                call.onError(Status.INTERNAL.withDescription("the serving worker failed: " + bug).asRuntimeException());
            }
        }

        /** Waits until the caller can take another message; false when it went away. */
        private boolean awaitReady() throws InterruptedException {
            lock.lock();
            try {
                while (!cancelled && !call.isReady()) {
                    ready.await();
                }
                return !cancelled;
            } finally {
                lock.unlock();
            }
        }

        private void wake() {
            lock.lock();
            try {
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
