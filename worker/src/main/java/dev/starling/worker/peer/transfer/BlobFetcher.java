package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.PeerServiceGrpc.PeerServiceBlockingStub;
import dev.starling.sdk.ContentAddress;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.Pin;
import dev.starling.worker.tasks.TransferCounter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Gets the blobs tasks read into the cache, from peers when it can and from the coordinator when it must (see
 * {@link BlobFetch} for how one blob is fetched). Tasks that need one blob at the same time share one fetch;
 * its bytes count for the task that started it. Fetches and their calls run on virtual threads.
 */
public final class BlobFetcher implements AutoCloseable {
    private final BlobCache cache;
    private final BlobFetch.Shared shared;
    private final ExecutorService threads;
    private final Map<String, BlobFetch> fetches = new ConcurrentHashMap<>();
    private final TransferCounter total = new TransferCounter();

    /**
     * @param coordinator stubs for the coordinator's PeerService, on the worker's own channel to it
     * @param complaints where reports of peers that served bad data go (to the coordinator, with AnnounceBlobs)
     * @param selfHostId this worker's host id, so that it never dials itself when the tracker lists it
     */
    public BlobFetcher(BlobCache cache, PeerChannels peers, Supplier<PeerServiceBlockingStub> coordinator,
            Consumer<PeerComplaint> complaints, LongSupplier selfHostId, FetchTuning tuning) {
        this(cache, peers, coordinator, complaints, selfHostId, tuning, RateLimiter.of(0));
    }

    /** @param downloads caps the bytes fetched per second, from everyone together ({@code --download-rate}) */
    public BlobFetcher(BlobCache cache, PeerChannels peers, Supplier<PeerServiceBlockingStub> coordinator,
            Consumer<PeerComplaint> complaints, LongSupplier selfHostId, FetchTuning tuning, RateLimiter downloads) {
        this.cache = cache;
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("starling-fetch-", 1).factory());
        this.shared = new BlobFetch.Shared(cache, peers, coordinator, complaints, selfHostId, tuning, threads, total,
                downloads);
    }

    /**
     * Makes every blob of {@code inputs} complete in the cache, fetching the missing ones in parallel, and pins
     * them all: the caller closes the pins once it no longer reads the blobs.
     *
     * @param counter where the bytes fetched for these inputs are counted
     * @throws InputsUnavailableException naming the blobs nobody could give (the others stay in the cache)
     * @throws BlobTooLargeException when a blob is larger than the whole cache
     * @throws IOException when the cache cannot take a blob
     * @throws InterruptedException when the calling task is cancelled (fetches nobody else waits for stop)
     * @throws IllegalArgumentException when the inputs name a malformed blob id, or one blob twice
     */
    public List<Pin> fetchAll(List<BlobSource> inputs, TransferCounter counter)
            throws InputsUnavailableException, IOException, InterruptedException {
        check(inputs);
        List<Pin> pins = new ArrayList<>();
        Map<String, BlobFetch> joined = new LinkedHashMap<>();
        boolean ok = false;
        try {
            for (BlobSource input : inputs) {
                pins.add(cache.pin(input.getBlobId()));
                if (!cache.isComplete(input.getBlobId())) {
                    joined.put(input.getBlobId(), join(input, counter));
                }
            }
            awaitAll(joined, counter);
            ok = true;
            return pins;
        } finally {
            if (!ok) {
                pins.forEach(Pin::close);
            }
        }
    }

    private void awaitAll(Map<String, BlobFetch> joined, TransferCounter counter)
            throws InputsUnavailableException, IOException, InterruptedException {
        List<BlobUnavailableException> unavailable = new ArrayList<>();
        IOException localFailure = null;
        try {
            for (BlobFetch fetch : joined.values()) {
                try {
                    fetch.await(counter);
                } catch (BlobUnavailableException e) {
                    unavailable.add(e);
                } catch (IOException e) {
                    localFailure = localFailure == null ? e : localFailure;
                }
            }
        } catch (InterruptedException e) {
            joined.values().forEach(f -> f.leave(counter));
            throw e;
        }
        if (localFailure != null) {
            throw localFailure; // this worker's problem, not the blob's: not reported as unavailable
        }
        if (!unavailable.isEmpty()) {
            throw new InputsUnavailableException(unavailable);
        }
    }

    private BlobFetch join(BlobSource input, TransferCounter counter) {
        return fetches.compute(input.getBlobId(), (id, running) -> {
            if (running != null && running.tryJoin(input, counter)) {
                return running;
            }
            BlobFetch fetch = new BlobFetch(shared, input, counter);
            fetch.done().whenComplete((ignored, failure) -> fetches.remove(id, fetch));
            threads.execute(fetch);
            return fetch;
        });
    }

    private static void check(List<BlobSource> inputs) {
        Set<String> seen = new HashSet<>();
        for (BlobSource input : inputs) {
            if (!ContentAddress.isValid(input.getBlobId())) {
                throw new IllegalArgumentException("an input is not a blob id (sha256:<64 hex digits>): " + input.getBlobId());
            }
            if (!seen.add(input.getBlobId())) {
                throw new IllegalArgumentException("blob " + input.getBlobId() + " is listed twice as an input");
            }
        }
    }

    /** Bytes fetched since the start, by where they came from. */
    public TransferCounter total() {
        return total;
    }

    /** Stops every fetch; tasks waiting on one see an interruption. */
    @Override
    public void close() {
        fetches.values().forEach(BlobFetch::cancel);
        threads.shutdownNow();
    }
}
