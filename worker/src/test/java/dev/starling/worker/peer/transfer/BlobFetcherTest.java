package dev.starling.worker.peer.transfer;

import static dev.starling.worker.testing.Eventually.until;
import static dev.starling.worker.testing.TestBlobs.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.CacheListener;
import dev.starling.worker.peer.cache.Pin;
import dev.starling.worker.tasks.TransferCounter;
import dev.starling.worker.testing.FakeSeed;
import dev.starling.worker.testing.SeedServer;
import dev.starling.worker.testing.TestBlobs;
import dev.starling.worker.testing.TestGrants;
import dev.starling.worker.testing.TestPeer;
import dev.starling.worker.testing.WorkerHarness;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching from in-JVM peers on real loopback sockets, with a fake coordinator as the seed of last resort. */
class BlobFetcherTest {
    static final FetchTuning FAST = WorkerHarness.fastFetching();

    @TempDir
    Path dir;

    private final TestGrants grants = new TestGrants();
    private final FakeSeed coordinator = new FakeSeed(grants);
    private final List<PeerComplaint> complaints = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SeedServer coordinatorServer;
    private ManagedChannel coordinatorChannel;
    private BlobCache cache;
    private BlobFetcher fetcher;

    @BeforeEach
    void start() {
        coordinatorServer = new SeedServer(coordinator);
        coordinatorChannel = NettyChannelBuilder.forTarget(coordinatorServer.address()).usePlaintext().build();
        cache = BlobCache.open(dir.resolve("fetcher"), 64L * CHUNK, CacheListener.NONE, Clock.systemUTC());
        PeerChannels channels = new PeerChannels(List.of());
        closeables.add(channels);
        fetcher = new BlobFetcher(cache, channels, () -> PeerServiceGrpc.newBlockingStub(coordinatorChannel),
                complaints::add, () -> 999, FAST);
    }

    @AfterEach
    void stop() throws Exception {
        fetcher.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        coordinatorChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        coordinatorServer.close();
    }

    private TestPeer peer(long hostId) {
        TestPeer peer = new TestPeer(hostId, dir.resolve("peer-" + hostId), grants);
        closeables.add(peer);
        return peer;
    }

    private SeedServer liar(FakeSeed seed) {
        SeedServer server = new SeedServer(seed);
        closeables.add(server);
        return server;
    }

    private BlobSource source(byte[] content, boolean coordinatorHasIt, Peer... peers) {
        String id = TestBlobs.id(content);
        return BlobSource.newBuilder().setBlobId(id).setSize(content.length).addAllPeers(List.of(peers))
                .setCoordinatorHasIt(coordinatorHasIt).setToken(grants.token(id)).build();
    }

    private byte[] fetchAll(BlobSource source, TransferCounter counter) throws Exception {
        List<Pin> pins = fetcher.fetchAll(List.of(source), counter);
        try (InputStream in = cache.open(source.getBlobId())) {
            return in.readAllBytes();
        } finally {
            pins.forEach(Pin::close);
        }
    }

    /** A loopback address where nothing listens. */
    private static Peer unreachable(long hostId) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Peer.newBuilder().setHostId(hostId).setAddress("127.0.0.1:" + socket.getLocalPort()).build();
        }
    }

    @Test
    void fetchesABlobFromSeveralPeersInParallel() throws Exception {
        byte[] content = TestBlobs.random(1, 4 * CHUNK - 1000);
        TestPeer a = peer(1).holding(content);
        TestPeer b = peer(2).holding(content);
        TestPeer c = peer(3).holding(content);
        coordinator.holding(content);
        TransferCounter counter = new TransferCounter();

        byte[] fetched = fetchAll(source(content, true, a.asPeer(), b.asPeer(), c.asPeer()), counter);

        assertThat(fetched).isEqualTo(content);
        assertThat(counter.bytesFromPeers()).isEqualTo(content.length);
        assertThat(counter.bytesFromCoordinator()).isZero();
        assertThat(coordinator.asked()).isEmpty();
        assertThat(a.bytesServed() + b.bytesServed() + c.bytesServed()).isEqualTo(content.length);
        assertThat(List.of(a.bytesServed(), b.bytesServed(), c.bytesServed())).filteredOn(n -> n > 0).hasSizeGreaterThan(1);
        assertThat(fetcher.total().bytesFromPeers()).isEqualTo(content.length);
        assertThat(complaints).isEmpty();
    }

    @Test
    void theDownloadCapIsPaidForEveryChunkBeforeItIsAskedFor() throws Exception {
        byte[] content = TestBlobs.random(2, 4 * CHUNK);
        TestPeer a = peer(1).holding(content);
        TestPeer b = peer(2).holding(content);
        List<Long> waits = new CopyOnWriteArrayList<>();
        // one chunk per second on a clock that stands still: each wait is the whole debt so far
        RateLimiter capped = new RateLimiter(CHUNK, () -> 0L, waits::add);
        PeerChannels channels = new PeerChannels(List.of());
        closeables.add(channels);
        BlobFetcher slow = new BlobFetcher(cache, channels, () -> {
            throw new AssertionError("the coordinator is not asked: peers hold the blob");
        }, complaints::add, () -> 999, FAST, capped);
        closeables.add(slow);

        List<Pin> pins = slow.fetchAll(List.of(source(content, false, a.asPeer(), b.asPeer())), new TransferCounter());
        pins.forEach(Pin::close);

        // four chunks against a bucket one chunk deep: three seconds of debt in all
        assertThat(waits).isNotEmpty();
        assertThat(waits.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void learnsWhileFetchingWhichChunksAPeerGained() throws Exception {
        byte[] content = TestBlobs.random(15, 3 * CHUNK);
        TestPeer growing = peer(1).holdingChunks(content, 0); // a peer fetching the blob too
        PeerChannels channels = new PeerChannels(List.of());
        closeables.add(channels);
        BlobFetcher patient = new BlobFetcher(cache, channels, () -> {
            throw new AssertionError("the coordinator is not asked: it does not hold the blob");
        }, complaints::add, () -> 999, FAST.toBuilder().stallTimeout(Duration.ofSeconds(30)).build());
        closeables.add(patient);
        String id = TestBlobs.id(content);

        CompletableFuture<List<Pin>> fetched = CompletableFuture.supplyAsync(() -> {
            try {
                return patient.fetchAll(List.of(source(content, false, growing.asPeer())), new TransferCounter());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        until(() -> cache.holding(id).map(h -> h.verified().get(0)).orElse(false));
        growing.cache().writeChunk(id, 2, TestBlobs.chunk(content, 2));
        growing.cache().writeChunk(id, 1, TestBlobs.chunk(content, 1));

        fetched.join().forEach(Pin::close);
        try (InputStream in = cache.open(id)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void asksTheCoordinatorOnlyForTheChunksNoPeerOffers() throws Exception {
        byte[] content = TestBlobs.random(2, 3 * CHUNK);
        TestPeer partial = peer(1).holdingChunks(content, 0, 1);
        coordinator.holding(content);
        TransferCounter counter = new TransferCounter();

        byte[] fetched = fetchAll(source(content, true, partial.asPeer()), counter);

        assertThat(fetched).isEqualTo(content);
        assertThat(coordinator.asked()).containsExactly(new FakeSeed.Asked(TestBlobs.id(content), 2));
        assertThat(counter.bytesFromPeers()).isEqualTo(2L * CHUNK);
        assertThat(counter.bytesFromCoordinator()).isEqualTo(CHUNK);
    }

    @Test
    void fetchesFromTheCoordinatorAloneWhenNoPeerIsListed() throws Exception {
        byte[] content = TestBlobs.random(3, 2 * CHUNK + 7);
        coordinator.holding(content);
        TransferCounter counter = new TransferCounter();

        assertThat(fetchAll(source(content, true), counter)).isEqualTo(content);
        assertThat(counter.bytesFromCoordinator()).isEqualTo(content.length);
        assertThat(coordinator.tokensSeen()).isNotEmpty().doesNotContain("");
    }

    @Test
    void followsTheCoordinatorsSeedsForAChunkItServedBefore() throws Exception {
        byte[] content = TestBlobs.random(4, 3 * CHUNK);
        TestPeer partial = peer(1).holdingChunks(content, 0, 1);
        TestPeer seed = peer(2).holding(content); // not in the task's list: only the coordinator knows it got chunk 2
        coordinator.holding(content).redirectOnce(content, 2, seed.asPeer());
        TransferCounter counter = new TransferCounter();

        assertThat(fetchAll(source(content, true, partial.asPeer()), counter)).isEqualTo(content);

        assertThat(coordinator.timesAsked(content, 2)).isEqualTo(1);
        assertThat(coordinator.bytesServed()).isZero();
        assertThat(seed.bytesServed()).isEqualTo(CHUNK);
        assertThat(counter.bytesFromPeers()).isEqualTo(content.length);
    }

    @Test
    void getsTheDataFromTheCoordinatorWhenItsSeedsFail() throws Exception {
        byte[] content = TestBlobs.random(5, 2 * CHUNK);
        coordinator.holding(content).redirectOnce(content, 1, unreachable(7));
        TransferCounter counter = new TransferCounter();

        assertThat(fetchAll(source(content, true), counter)).isEqualTo(content);

        assertThat(coordinator.timesAsked(content, 1)).isEqualTo(2);
        assertThat(counter.bytesFromCoordinator()).isEqualTo(content.length);
    }

    @Test
    void dropsAndReportsAPeerThatServesABadChunkAndStillGetsTheBlobIntact() throws Exception {
        byte[] content = TestBlobs.random(6, 3 * CHUNK);
        FakeSeed lying = new FakeSeed(grants).holding(content).corrupt(content, 1);
        SeedServer liar = liar(lying);
        TestPeer honest = peer(1).holdingChunks(content, 0, 2); // chunk 1 is offered by the liar alone
        coordinator.holding(content);
        TransferCounter counter = new TransferCounter();

        byte[] fetched = fetchAll(source(content, true, honest.asPeer(), liar.asPeer(66)), counter);

        assertThat(fetched).isEqualTo(content);
        assertThat(complaints).singleElement().satisfies(c -> {
            assertThat(c.getHostId()).isEqualTo(66);
            assertThat(c.getBlobId()).isEqualTo(TestBlobs.id(content));
            assertThat(c.getChunk()).isEqualTo(1);
            assertThat(c.getReason()).isEqualTo("chunk 1 does not match its leaf hash");
            assertThat(c.getKind()).isEqualTo(PeerComplaint.Kind.BAD_CHUNK);
        });
        assertThat(lying.timesAsked(content, 1)).isEqualTo(1); // dropped: never asked again
        assertThat(coordinator.asked()).containsExactly(new FakeSeed.Asked(TestBlobs.id(content), 1));
        assertThat(counter.bytesFromCoordinator()).isEqualTo(CHUNK);
    }

    @Test
    void dropsAPeerItCannotReach() throws Exception {
        byte[] content = TestBlobs.random(7, 2 * CHUNK);
        TestPeer honest = peer(1).holding(content);

        byte[] fetched = fetchAll(source(content, false, unreachable(5), honest.asPeer()), new TransferCounter());

        assertThat(fetched).isEqualTo(content);
        assertThat(honest.bytesServed()).isEqualTo(content.length);
    }

    @Test
    void failsNamingTheBlobWhenNobodyCanGiveIt() throws Exception {
        byte[] content = TestBlobs.random(8, CHUNK);
        BlobSource nowhere = source(content, false, unreachable(5));

        assertThatThrownBy(() -> fetcher.fetchAll(List.of(nowhere), new TransferCounter()))
                .isInstanceOfSatisfying(InputsUnavailableException.class, e -> {
                    assertThat(e.missingBlobIds()).containsExactly(TestBlobs.id(content));
                    assertThat(e.getMessage()).startsWith("blob " + TestBlobs.id(content) + " could not be fetched: no reachable"
                            + " peer could give its manifest (host 5 at 127.0.0.1:")
                            .endsWith("and the coordinator does not hold it (it is a worker's output)");
                });
        assertThat(cache.holding(TestBlobs.id(content))).isEmpty();
    }

    @Test
    void failsWhenAChunkIsHeldByNobodyAndTheCoordinatorLacksTheBlob() throws Exception {
        byte[] content = TestBlobs.random(9, 3 * CHUNK);
        byte[] other = TestBlobs.random(10, CHUNK);
        TestPeer partial = peer(1).holdingChunks(content, 0);
        coordinator.holding(other);

        assertThatThrownBy(() -> fetcher.fetchAll(List.of(source(content, true, partial.asPeer()),
                        source(other, true)), new TransferCounter()))
                .isInstanceOfSatisfying(InputsUnavailableException.class, e -> {
                    assertThat(e.missingBlobIds()).containsExactly(TestBlobs.id(content));
                    assertThat(e.getMessage()).contains("chunks 1, 2 of 3", "the coordinator does not hold it either");
                });
        assertThat(cache.isComplete(TestBlobs.id(other))).isTrue(); // the other input arrived and stays
        assertThat(cache.holding(TestBlobs.id(content)).orElseThrow().verified().stream().boxed().toList()).containsExactly(0);
    }

    @Test
    void givesUpOnTheCoordinatorAtOnceWhenItRefusesTheToken() throws Exception {
        byte[] content = TestBlobs.random(14, CHUNK);
        coordinator.holding(content);
        String id = TestBlobs.id(content);
        BlobSource expired = source(content, true).toBuilder()
                .setToken(grants.token(id, java.time.Instant.now().minus(Duration.ofHours(1)))).build();

        assertThatThrownBy(() -> fetcher.fetchAll(List.of(expired), new TransferCounter()))
                .isInstanceOfSatisfying(InputsUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains("the coordinator refused to serve it (UNAUTHENTICATED: the fetch token expired at"));
        assertThat(coordinator.tokensSeen()).hasSize(1);
    }

    @Test
    void resumesAPartialBlobWithOnlyTheChunksItLacks() throws Exception {
        byte[] content = TestBlobs.random(11, 3 * CHUNK);
        cache.prepareFetch(TestPeer.manifestOf(content));
        cache.writeChunk(TestBlobs.id(content), 0, TestBlobs.chunk(content, 0));
        cache.writeChunk(TestBlobs.id(content), 1, TestBlobs.chunk(content, 1));
        coordinator.holding(content);
        TransferCounter counter = new TransferCounter();

        assertThat(fetchAll(source(content, true), counter)).isEqualTo(content);

        assertThat(coordinator.asked()).containsExactly(new FakeSeed.Asked(TestBlobs.id(content), 2));
        assertThat(counter.bytesFromCoordinator()).isEqualTo(CHUNK);
    }

    @Test
    void tasksThatNeedOneBlobAtOnceShareOneFetch() throws Exception {
        byte[] content = TestBlobs.random(12, 2 * CHUNK);
        coordinator.holding(content).closeGate();
        BlobSource source = source(content, true);
        TransferCounter first = new TransferCounter();
        TransferCounter second = new TransferCounter();

        CompletableFuture<byte[]> a = CompletableFuture.supplyAsync(() -> fetchQuietly(source, first));
        until(() -> coordinator.chunkCalls() == 1);
        Thread[] joiner = new Thread[1];
        CompletableFuture<byte[]> b = CompletableFuture.supplyAsync(() -> {
            joiner[0] = Thread.currentThread();
            return fetchQuietly(source, second);
        });
        until(() -> joiner[0] != null && joiner[0].getState() == Thread.State.WAITING);
        coordinator.open();

        assertThat(a.join()).isEqualTo(content);
        assertThat(b.join()).isEqualTo(content);
        assertThat(coordinator.bytesServed()).isEqualTo(content.length);
        assertThat(first.bytesFromCoordinator()).isEqualTo(content.length);
        assertThat(second.bytesFromCoordinator()).isZero();
    }

    @Test
    void aTaskCancelledWhileWaitingStopsAFetchNobodyElseNeeds() throws Exception {
        byte[] content = TestBlobs.random(13, CHUNK);
        coordinator.holding(content).closeGate();
        BlobSource source = source(content, true);
        Thread[] task = new Thread[1];
        CompletableFuture<Throwable> cancelled = CompletableFuture.supplyAsync(() -> {
            task[0] = Thread.currentThread();
            try {
                fetcher.fetchAll(List.of(source), new TransferCounter());
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        until(() -> coordinator.chunkCalls() == 1);
        task[0].interrupt();

        assertThat(cancelled.join()).isInstanceOf(InterruptedException.class);
        coordinator.open();
        assertThat(fetchAll(source, new TransferCounter())).isEqualTo(content); // a new fetch, from where it was
    }

    private byte[] fetchQuietly(BlobSource source, TransferCounter counter) {
        try {
            return fetchAll(source, counter);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
