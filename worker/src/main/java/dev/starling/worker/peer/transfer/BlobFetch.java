package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Manifest;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.PeerServiceGrpc.PeerServiceBlockingStub;
import dev.starling.worker.peer.cache.BadManifestException;
import dev.starling.worker.peer.cache.Bitfields;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.BlobManifest;
import dev.starling.worker.support.ByteSizes;
import dev.starling.worker.tasks.TransferCounter;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blob being fetched from peers (the coordinator last) into the cache, for every task that needs it.
 *
 * <p>First the manifest, from the first peer that has one (or the coordinator), checked against the blob id.
 * Then the chunks: the peers' bitfields are asked (and asked again while the fetch runs), and each peer is
 * sent requests for a few chunks at a time, rarest first ({@link ChunkPicker}), several peers in parallel.
 * The coordinator is asked only for chunks no reachable peer offers; it may answer a chunk with seeds (peers
 * that got it already), which join the fetch, and answers with the data when asked again after they failed.
 * A chunk is written only once it matches its leaf hash; a peer that sends a bad one is dropped for this
 * transfer and reported; a peer that cannot be reached is dropped. When some chunk can be had from nobody
 * the fetch fails with {@link BlobUnavailableException}.
 *
 * <p>The fetch's state belongs to its own thread. The calls it makes run on threads of their own and tell
 * it what happened through a queue of {@link FetchEvent}s, so the state needs no lock.
 *
 * <p>Why one class of 700 lines: what a fetch knows (its sources and their bitfields, the chunks missing, asked,
 * refused and redirected, the coordinator's standing, the time of the last progress) is one state machine that one
 * thread changes, one event at a time, and nearly every step reads most of it. What needs none of it is outside
 * already ({@link ChunkCall}, {@link ChunkPicker}, {@link FetchSource}, {@link FetchEvent}); cutting the rest into
 * classes would hand the same fields to each of them, or put a lock where none is needed now.
 */
final class BlobFetch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);

    /** What every fetch uses of the worker around it, shared by all of them. */
    record Shared(BlobCache cache, PeerChannels peers, Supplier<PeerServiceBlockingStub> coordinator,
            Consumer<PeerComplaint> complaints, LongSupplier selfHostId, FetchTuning tuning, Executor threads,
            TransferCounter total, RateLimiter downloads) {}

    private final Shared shared;
    private final FetchTuning tuning;
    private final String blobId;
    private final long size;
    private final boolean coordinatorHasIt;
    private final BlobSource first;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final BlockingQueue<FetchEvent> events = new LinkedBlockingQueue<>();
    private final Context.CancellableContext calls = Context.ROOT.withCancellation();
    private final Random random = new Random();
    private volatile String token;

    /** the tasks waiting, in the order they came: bytes count for the first one still waiting */
    private final List<TransferCounter> waiters = new ArrayList<>(); // guarded by itself
    private boolean closed; // guarded by waiters: no one may join any more

    // ---- the fetch thread's own state
    private final List<FetchSource> peers = new ArrayList<>();
    private final Set<Long> knownHosts = new HashSet<>();
    private final List<String> dropped = new ArrayList<>();
    private FetchSource coordinator;
    private String coordinatorState;
    private BlobManifest manifest;
    private BitSet missing;
    private BitSet inFlight;
    private BitSet coordinatorLacks;
    private int[] coordinatorAsks;
    private long[] seededAt; // System.nanoTime() when the coordinator last answered the chunk with seeds, 0: never
    private int activeCalls;
    private int initialRefreshes;
    private int coordinatorFailuresInRow;
    private long coordinatorRetryAt;
    private long lastProgress;
    private long nextRefresh;
    private long fromPeers;
    private long fromCoordinator;
    private final Set<Long> servingPeers = new HashSet<>();

    BlobFetch(Shared shared, BlobSource first, TransferCounter counter) {
        this.shared = shared;
        this.tuning = shared.tuning();
        this.blobId = first.getBlobId();
        this.size = first.getSize();
        this.coordinatorHasIt = first.getCoordinatorHasIt();
        this.first = first;
        this.token = first.getToken();
        this.waiters.add(counter);
    }

    CompletableFuture<Void> done() {
        return done;
    }

    /** Adds a task to the fetch, with the peers its task names; false when the fetch is ending (start another). */
    boolean tryJoin(BlobSource source, TransferCounter counter) {
        synchronized (waiters) {
            if (closed) {
                return false;
            }
            waiters.add(counter);
        }
        events.add(new FetchEvent.PeersAdded(source.getPeersList(), source.getToken()));
        return true;
    }

    /**
     * Waits until the blob is complete in the cache.
     *
     * @throws BlobUnavailableException when nobody could give it
     * @throws IOException when the cache cannot take it (too large, disk failure)
     * @throws InterruptedException when the waiting task is cancelled; the fetch stops once nobody waits
     */
    void await(TransferCounter counter) throws BlobUnavailableException, IOException, InterruptedException {
        try {
            done.get();
        } catch (InterruptedException e) {
            leave(counter);
            throw e;
        } catch (CancellationException e) {
            throw new InterruptedException("the fetch of " + blobId + " was stopped");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case BlobUnavailableException u -> throw u;
                case IOException io -> throw io;
                case CancellationException c -> throw new InterruptedException("the fetch of " + blobId + " was stopped");
                case InterruptedException i -> throw new InterruptedException("the fetch of " + blobId + " was stopped");
                default -> throw new IllegalStateException("fetching blob " + blobId + " failed", e.getCause());
            }
        }
    }

    /** A waiting task gave up; when it was the last one, the fetch stops (what it verified stays in the cache). */
    void leave(TransferCounter counter) {
        synchronized (waiters) {
            waiters.remove(counter);
            if (!waiters.isEmpty() || closed) {
                return;
            }
            closed = true;
        }
        cancel();
    }

    /** Stops the fetch: its waiters see it as interrupted. */
    void cancel() {
        events.add(new FetchEvent.Cancelled());
        calls.cancel(null);
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        try {
            addPeers(first.getPeersList());
            coordinator = coordinatorHasIt ? newCoordinatorSource() : null;
            coordinatorState = coordinatorHasIt ? "the coordinator does not hold it either"
                    : "the coordinator does not hold it (it is a worker's output)";
            fetch();
            if (fromPeers + fromCoordinator > 0) {
                log.info("Fetched blob {} ({}) in {} ms: {} from {} {}, {} from the coordinator", blobId,
                        ByteSizes.format(size), Duration.ofNanos(System.nanoTime() - started).toMillis(),
                        ByteSizes.format(fromPeers), servingPeers.size(), servingPeers.size() == 1 ? "peer" : "peers",
                        ByteSizes.format(fromCoordinator));
            }
            done.complete(null);
        } catch (Throwable t) {
            done.completeExceptionally(t);
            if (!(t instanceof CancellationException)) {
                log.debug("Fetching blob {} failed: {}", blobId, t.toString());
            }
        } finally {
            synchronized (waiters) {
                closed = true;
            }
            calls.cancel(null);
        }
    }

    private void fetch() throws Exception {
        BlobCache cache = shared.cache();
        if (cache.isComplete(blobId)) {
            return;
        }
        manifest = cache.holding(blobId).map(BlobCache.Holding::manifest).orElse(null);
        if (manifest == null) {
            manifest = obtainManifest();
        }
        cache.prepareFetch(manifest);
        int chunks = manifest.chunkCount();
        missing = new BitSet(chunks);
        missing.set(0, chunks);
        syncWithCache();
        inFlight = new BitSet(chunks);
        coordinatorLacks = new BitSet(chunks);
        coordinatorAsks = new int[chunks];
        seededAt = new long[chunks];
        lastProgress = System.nanoTime();
        for (FetchSource peer : livePeers()) {
            peer.initial = true;
            initialRefreshes++;
            refresh(peer);
        }
        nextRefresh = System.nanoTime() + tuning.haveRefreshInterval().toNanos();
        while (!missing.isEmpty()) {
            schedule();
            if (activeCalls == 0) {
                String stuck = stuck();
                if (stuck != null) {
                    throw new BlobUnavailableException(blobId, stuck);
                }
            }
            FetchEvent event = events.poll(waitNanos(), TimeUnit.NANOSECONDS);
            if (event != null) {
                handle(event);
            }
            if (System.nanoTime() >= nextRefresh) {
                tick(); // by the clock: chunks may arrive without a pause for as long as the fetch runs
            }
        }
    }

    // ---- the manifest

    private BlobManifest obtainManifest() throws BlobUnavailableException, InterruptedException {
        long giveUpAt = System.nanoTime() + tuning.stallTimeout().toNanos();
        while (true) {
            BlobRequest request = BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build();
            for (FetchSource peer : livePeers()) {
                try {
                    Manifest answer = peer.call(tuning.peerCallTimeout(), s -> s.getManifest(request));
                    return BlobManifest.received(answer, blobId, size);
                } catch (BadManifestException e) {
                    complain(peer, PeerComplaint.Kind.BAD_MANIFEST, 0, "its manifest is wrong: " + e.getMessage());
                    drop(peer, "served a wrong manifest (" + e.getMessage() + ")");
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                        drop(peer, describe(e));
                    }
                }
            }
            if (coordinator != null && System.nanoTime() >= coordinatorRetryAt) {
                try {
                    Manifest answer = coordinator.call(tuning.peerCallTimeout(), s -> s.getManifest(request));
                    return BlobManifest.received(answer, blobId, size);
                } catch (BadManifestException e) {
                    log.error("The coordinator served a wrong manifest for blob {}: {}", blobId, e.getMessage());
                    giveUpOnCoordinator("the coordinator served a wrong manifest (" + e.getMessage() + ")");
                } catch (StatusRuntimeException e) {
                    coordinatorFailed(e);
                }
            }
            if (livePeers().isEmpty() && coordinator == null) {
                throw new BlobUnavailableException(blobId, "no reachable peer could give its manifest"
                        + droppedSummary() + ", and " + coordinatorState);
            }
            if (System.nanoTime() > giveUpAt) {
                throw new BlobUnavailableException(blobId, "no peer offered its manifest within "
                        + tuning.stallTimeout().toSeconds() + " s" + droppedSummary() + ", and " + coordinatorState);
            }
            FetchEvent event = events.poll(tuning.haveRefreshInterval().toNanos(), TimeUnit.NANOSECONDS);
            if (event instanceof FetchEvent.Cancelled) {
                throw new CancellationException();
            } else if (event instanceof FetchEvent.PeersAdded added) {
                token = added.token();
                addPeers(added.peers());
            }
        }
    }

    // ---- choosing what to ask of whom

    private void schedule() {
        if (initialRefreshes == 0) {
            schedulePeers();
        }
        scheduleCoordinator();
    }

    /**
     * Round after round, gives each peer with a free request slot one request for chunks it offers, rarest first,
     * until no peer can take more. A request is small while few chunks are left, so that they spread over peers.
     */
    private void schedulePeers() {
        List<FetchSource> live = livePeers().stream().filter(p -> p.haveKnown).toList();
        if (live.isEmpty()) {
            return;
        }
        int[] availability = availability(live);
        BitSet wanted = wanted();
        boolean assigned = true;
        while (assigned && !wanted.isEmpty()) {
            assigned = false;
            int perRequest = Math.max(1, Math.min(tuning.chunksPerRequest(), wanted.cardinality() / live.size()));
            for (FetchSource peer : live) {
                if (peer.dropped || peer.inFlight >= tuning.requestsPerPeer()) {
                    continue;
                }
                List<Integer> picks = ChunkPicker.pick(wanted, peer.have, availability, perRequest, random);
                if (!picks.isEmpty()) {
                    picks.forEach(wanted::clear);
                    request(peer, picks);
                    assigned = true;
                }
            }
        }
    }

    /**
     * Asks the coordinator for chunks no reachable peer offers, once every peer's bitfield is in (a peer about to
     * say it has a chunk must not cost the coordinator its bandwidth), a few at a time and picked at random: when
     * many workers fetch one blob at once, each gets different chunks from the coordinator, and they trade the
     * rest among themselves.
     */
    private void scheduleCoordinator() {
        if (coordinator == null || System.nanoTime() < coordinatorRetryAt
                || livePeers().stream().anyMatch(p -> p.refreshing)) {
            return;
        }
        BitSet orphans = orphans();
        while (coordinator.inFlight < tuning.requestsPerPeer() && !orphans.isEmpty()) {
            List<Integer> picks = ChunkPicker.pick(orphans, orphans, new int[manifest.chunkCount()],
                    tuning.chunksPerRequest(), random);
            picks.forEach(i -> {
                orphans.clear(i);
                coordinatorAsks[i]++;
            });
            request(coordinator, picks);
        }
    }

    /**
     * Chunks wanted that no reachable peer offers and the coordinator may still be asked for. A chunk the
     * coordinator answered with seeds waits for them a while even when they did not have it yet when asked (the
     * coordinator may have been sending it to them at that moment): their bitfields, asked again meanwhile, show
     * it as soon as they verified it, and asking the coordinator again would make it serve the chunk twice.
     */
    private BitSet orphans() {
        BitSet orphans = wanted();
        for (FetchSource peer : livePeers()) {
            orphans.andNot(peer.have);
        }
        orphans.andNot(coordinatorLacks);
        long now = System.nanoTime();
        for (int i = orphans.nextSetBit(0); i >= 0; i = orphans.nextSetBit(i + 1)) {
            if (coordinatorAsks[i] >= tuning.coordinatorAsksPerChunk() || waitingForSeeds(i, now)) {
                orphans.clear(i);
            }
        }
        return orphans;
    }

    private boolean waitingForSeeds() {
        long now = System.nanoTime();
        return missing.stream().anyMatch(i -> waitingForSeeds(i, now));
    }

    private boolean waitingForSeeds(int index, long now) {
        return seededAt[index] != 0 && now - seededAt[index] < seedPatienceNanos();
    }

    /** How long a chunk waits for its seeds: two rounds of bitfields. */
    private long seedPatienceNanos() {
        return 2 * tuning.haveRefreshInterval().toNanos();
    }

    private BitSet wanted() {
        BitSet wanted = (BitSet) missing.clone();
        wanted.andNot(inFlight);
        return wanted;
    }

    private int[] availability(List<FetchSource> live) {
        int[] counts = new int[manifest.chunkCount()];
        for (FetchSource peer : live) {
            peer.have.stream().filter(i -> i < counts.length).forEach(i -> counts[i]++);
        }
        return counts;
    }

    /** Why the fetch cannot go on, or null while it can (or may, once peers gain chunks). */
    private String stuck() {
        if (coordinator != null && (!orphans().isEmpty() || waitingForSeeds())) {
            return null; // it is asked as soon as its backoff ends, or the chunk's seeds had their chance
        }
        String lacking = "chunks " + chunkList(missing) + " of " + manifest.chunkCount();
        if (livePeers().isEmpty()) {
            return lacking + " are held by no reachable peer" + droppedSummary() + ", and " + coordinatorState;
        }
        if (System.nanoTime() - lastProgress > tuning.stallTimeout().toNanos()) {
            return lacking + " were offered by none of the " + livePeers().size() + " reachable peers within "
                    + tuning.stallTimeout().toSeconds() + " s" + droppedSummary() + ", and " + coordinatorState;
        }
        return null;
    }

    private long waitNanos() {
        long now = System.nanoTime();
        long until = nextRefresh;
        if (coordinator != null && coordinatorRetryAt > now) {
            until = Math.min(until, coordinatorRetryAt);
        }
        if (coordinator != null) {
            for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) {
                if (waitingForSeeds(i, now)) {
                    until = Math.min(until, seededAt[i] + seedPatienceNanos());
                }
            }
        }
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), until - now);
    }

    /** Periodically: take in chunks the cache got by other means, and ask the peers' bitfields again. */
    private void tick() {
        syncWithCache();
        for (FetchSource peer : livePeers()) {
            if (!peer.refreshing) {
                refresh(peer);
            }
        }
        nextRefresh = System.nanoTime() + tuning.haveRefreshInterval().toNanos();
    }

    /**
     * Takes in chunks the cache got by other means (a task stored the same bytes). Chunks in flight are left to
     * their calls' events, which count their bytes.
     */
    private void syncWithCache() {
        shared.cache().holding(blobId).ifPresent(h -> {
            BitSet got = h.verified();
            if (inFlight != null) {
                got.andNot(inFlight);
            }
            missing.andNot(got);
        });
    }

    // ---- what the calls tell

    private void handle(FetchEvent event) throws IOException {
        switch (event) {
            case FetchEvent.HaveAnswered e -> haveAnswered(e);
            case FetchEvent.ChunkStored e -> {
                missing.clear(e.index());
                inFlight.clear(e.index());
                lastProgress = System.nanoTime();
                count(e.source(), e.bytes());
            }
            case FetchEvent.Redirected e -> seeded(e.index(), e.seeds());
            case FetchEvent.RequestEnded e -> requestEnded(e);
            case FetchEvent.PeersAdded e -> {
                token = e.token();
                addPeers(e.peers());
            }
            case FetchEvent.Cancelled e -> throw new CancellationException();
        }
    }

    private void haveAnswered(FetchEvent.HaveAnswered e) {
        FetchSource peer = e.source();
        peer.refreshing = false;
        activeCalls--;
        if (peer.initial) {
            peer.initial = false;
            initialRefreshes--;
        }
        if (peer.dropped) {
            return;
        }
        if (e.failure() != null) {
            if (e.failure().getStatus().getCode() == Status.Code.NOT_FOUND) {
                peer.have = new BitSet(); // it holds nothing yet, and may soon
                peer.haveKnown = true;
            } else {
                drop(peer, describe(e.failure()));
            }
            return;
        }
        Have have = e.have();
        if (have.getChunkCount() != manifest.chunkCount()) {
            drop(peer, "its bitfield counts " + have.getChunkCount() + " chunks instead of " + manifest.chunkCount());
            return;
        }
        peer.have = Bitfields.fromBytes(have.getBitfield(), manifest.chunkCount());
        peer.have.or(peer.hinted); // an answer asked for before the coordinator's hint may not show it yet
        peer.haveKnown = true;
    }

    private void requestEnded(FetchEvent.RequestEnded e) throws IOException {
        FetchSource source = e.source();
        source.inFlight--;
        activeCalls--;
        inFlight.andNot(e.requested());
        BitSet undelivered = (BitSet) e.requested().clone();
        undelivered.andNot(e.delivered());
        undelivered.andNot(e.redirected());
        if (e.localFailure() != null) {
            throw e.localFailure();
        }
        if (source.isCoordinator) {
            coordinatorEnded(e, undelivered);
            return;
        }
        source.have.andNot(undelivered); // it no longer has them, whatever its bitfield said
        source.hinted.andNot(undelivered);
        if (e.badChunk() >= 0) {
            complain(source, PeerComplaint.Kind.BAD_CHUNK, e.badChunk(),
                    "chunk " + e.badChunk() + " does not match its leaf hash");
            drop(source, "served a bad chunk");
        } else if (e.failure() != null && !source.dropped) {
            drop(source, describe(e.failure()));
        }
    }

    private void coordinatorEnded(FetchEvent.RequestEnded e, BitSet undelivered) {
        if (coordinator == null) {
            return;
        }
        if (e.badChunk() >= 0) {
            log.error("The coordinator served chunk {} of blob {} that does not match its leaf hash", e.badChunk(), blobId);
            giveUpOnCoordinator("the coordinator served a bad chunk");
        } else if (e.failure() != null) {
            undelivered.stream().forEach(i -> coordinatorAsks[i]--); // a failed call does not use up the chunk's asks
            coordinatorFailed(e.failure());
        } else {
            coordinatorFailuresInRow = 0;
            coordinatorLacks.or(undelivered);
        }
    }

    private void coordinatorFailed(StatusRuntimeException e) {
        switch (e.getStatus().getCode()) {
            case NOT_FOUND -> {
                giveUpOnCoordinator("the coordinator does not hold it either");
                return;
            }
            case PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT, FAILED_PRECONDITION, UNIMPLEMENTED -> {
                // asking again would be refused again
                giveUpOnCoordinator("the coordinator refused to serve it (" + describe(e) + ")");
                return;
            }
            default -> {
                // transient: asked again after a pause
            }
        }
        coordinatorFailuresInRow++;
        if (coordinatorFailuresInRow >= tuning.coordinatorFailures()) {
            giveUpOnCoordinator("the coordinator failed " + coordinatorFailuresInRow + " times in a row (" + describe(e) + ")");
        } else {
            long backoff = tuning.haveRefreshInterval().toNanos() << Math.min(10, coordinatorFailuresInRow - 1);
            coordinatorRetryAt = System.nanoTime() + backoff;
            log.debug("Asking the coordinator for blob {} failed ({}); asking again later", blobId, describe(e));
        }
    }

    private void giveUpOnCoordinator(String why) {
        coordinatorState = why;
        if (coordinator != null) {
            coordinator.context.cancel(null);
            coordinator = null;
        }
    }

    // ---- peers

    private void addPeers(List<Peer> candidates) {
        long self = shared.selfHostId().getAsLong();
        for (Peer candidate : candidates) {
            if (candidate.getHostId() == self || candidate.getAddress().isBlank() || !knownHosts.add(candidate.getHostId())) {
                continue;
            }
            FetchSource peer;
            try {
                peer = new FetchSource(candidate.getHostId(), candidate.getAddress(), shared.peers().stub(candidate.getAddress()),
                        calls.withCancellation(), false);
            } catch (IllegalArgumentException e) {
                dropped.add("host " + candidate.getHostId() + ": its address '" + candidate.getAddress() + "' cannot be dialled");
                continue;
            }
            peers.add(peer);
            if (missing != null) {
                refresh(peer); // joined while chunks are being fetched: learn what it has
            }
        }
    }

    /**
     * The coordinator named seeds for a chunk: they hold it (it sent it to them), so they are asked for it at once,
     * without waiting for their bitfields; new seeds join the fetch.
     */
    private void seeded(int index, List<Peer> seeds) {
        seededAt[index] = System.nanoTime();
        addPeers(seeds);
        for (Peer seed : seeds) {
            peers.stream().filter(p -> p.hostId == seed.getHostId() && !p.dropped).findFirst().ifPresent(p -> {
                p.have.set(index);
                p.hinted.set(index);
                p.haveKnown = true;
            });
        }
    }

    private FetchSource newCoordinatorSource() {
        return new FetchSource(0, "coordinator", shared.coordinator().get(), calls.withCancellation(), true);
    }

    private List<FetchSource> livePeers() {
        return peers.stream().filter(p -> !p.dropped).toList();
    }

    private void drop(FetchSource peer, String why) {
        if (peer.dropped) {
            return;
        }
        peer.dropped = true;
        peer.context.cancel(null);
        dropped.add(peer + ": " + why);
        log.debug("Dropped {} from the fetch of blob {}: {}", peer, blobId, why);
    }

    private void complain(FetchSource peer, PeerComplaint.Kind kind, int chunk, String reason) {
        log.warn("{} served blob {} wrongly ({}); it is dropped for this transfer and reported to the coordinator",
                peer, blobId, reason);
        shared.complaints().accept(PeerComplaint.newBuilder()
                .setHostId(peer.hostId)
                .setBlobId(blobId)
                .setChunk(chunk)
                .setReason(reason)
                .setKind(kind)
                .build());
    }

    private void count(FetchSource source, int bytes) {
        if (source.isCoordinator) {
            fromCoordinator += bytes;
        } else {
            fromPeers += bytes;
            servingPeers.add(source.hostId);
        }
        shared.total().add(source.isCoordinator, bytes);
        synchronized (waiters) {
            if (!waiters.isEmpty()) {
                waiters.get(0).add(source.isCoordinator, bytes);
            }
        }
    }

    // ---- calls, each on a thread of its own

    private void refresh(FetchSource peer) {
        peer.refreshing = true;
        activeCalls++;
        BlobRequest request = BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build();
        shared.threads().execute(() -> {
            try {
                events.add(new FetchEvent.HaveAnswered(peer, peer.call(tuning.peerCallTimeout(), s -> s.getHave(request)), null));
            } catch (StatusRuntimeException e) {
                events.add(new FetchEvent.HaveAnswered(peer, null, e));
            }
        });
    }

    private void request(FetchSource source, List<Integer> chunks) {
        source.inFlight++;
        activeCalls++;
        BitSet requested = new BitSet();
        chunks.forEach(requested::set);
        inFlight.or(requested);
        FetchChunksRequest request = FetchChunksRequest.newBuilder().setBlobId(blobId).setToken(token).addAllChunks(chunks).build();
        shared.threads().execute(new ChunkCall(source, request, requested, shared.cache(), events::add,
                tuning.chunkCallTimeout(), shared.downloads()));
    }

    // ---- words

    private String droppedSummary() {
        return dropped.isEmpty() ? "" : " (" + String.join("; ", dropped) + ")";
    }

    private static String chunkList(BitSet chunks) {
        String list = chunks.stream().limit(10).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return chunks.cardinality() > 10 ? list + " and " + (chunks.cardinality() - 10) + " more" : list;
    }

    private static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }
}
