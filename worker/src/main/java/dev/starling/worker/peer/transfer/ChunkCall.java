package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.BlobManifest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One FetchChunks call of a fetch, on a thread of its own: writes each chunk to the cache as it comes (the cache
 * verifies it first), and stops at the first one that fails verification. The download cap
 * ({@code --download-rate}) is paid for the chunks asked before the call starts. Tells the fetch thread each chunk
 * stored, each chunk the coordinator answered with seeds, and finally how the call ended.
 */
final class ChunkCall implements Runnable {
    private final FetchSource source;
    private final FetchChunksRequest request;
    private final BitSet requested;
    private final BlobCache cache;
    private final Consumer<FetchEvent> events;
    private final Duration timeout;
    private final RateLimiter downloads;
    private final BitSet delivered = new BitSet();
    private final BitSet redirected = new BitSet();

    ChunkCall(FetchSource source, FetchChunksRequest request, BitSet requested, BlobCache cache,
            Consumer<FetchEvent> events, Duration timeout, RateLimiter downloads) {
        this.source = source;
        this.request = request;
        this.requested = requested;
        this.cache = cache;
        this.events = events;
        this.timeout = timeout;
        this.downloads = downloads;
    }

    @Override
    public void run() {
        Context.CancellableContext context = source.context.withCancellation();
        try {
            events.accept(context.call(this::receive));
        } catch (Exception e) {
            throw new IllegalStateException("a FetchChunks call failed unexpectedly", e);
        } finally {
            context.cancel(null); // ends the call when it was left early (a bad chunk)
        }
    }

    private FetchEvent.RequestEnded receive() {
        try {
            // the download cap is paid before the call, so that its deadline covers only the transfer
            downloads.acquire((long) requested.cardinality() * BlobManifest.CHUNK_SIZE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ended(-1, Status.CANCELLED.withDescription("the fetch was stopped").asRuntimeException(), null);
        }
        try {
            Iterator<Chunk> answer = source.stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .fetchChunks(request);
            while (answer.hasNext()) {
                Chunk chunk = answer.next();
                int index = chunk.getIndex();
                if (!requested.get(index) || delivered.get(index) || redirected.get(index)) {
                    continue; // not asked for: ignored
                }
                if (source.isCoordinator && chunk.getSeedsCount() > 0) {
                    redirected.set(index);
                    events.accept(new FetchEvent.Redirected(index, chunk.getSeedsList()));
                    continue;
                }
                byte[] bytes = chunk.getData().toByteArray();
                if (!cache.writeChunk(request.getBlobId(), index, bytes)) {
                    return ended(index, null, null);
                }
                delivered.set(index);
                events.accept(new FetchEvent.ChunkStored(source, index, bytes.length));
            }
            return ended(-1, null, null);
        } catch (StatusRuntimeException e) {
            return ended(-1, e, null);
        } catch (IOException e) {
            return ended(-1, null, e);
        }
    }

    private FetchEvent.RequestEnded ended(int badChunk, StatusRuntimeException failure, IOException localFailure) {
        return new FetchEvent.RequestEnded(source, requested, delivered, redirected, badChunk, failure, localFailure);
    }
}
