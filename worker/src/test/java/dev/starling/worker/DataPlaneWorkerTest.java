package dev.starling.worker;

import static dev.starling.worker.testing.Eventually.until;
import static dev.starling.worker.testing.Eventually.untilAsserted;
import static dev.starling.worker.testing.TestBlobs.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.BlobRef;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.proto.v1.TaskResult;
import dev.starling.sdk.Apps;
import dev.starling.sdk.ContentAddress;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.testing.FakeCoordinator;
import dev.starling.worker.testing.FakeSeed;
import dev.starling.worker.testing.SeedServer;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.TestBlobs;
import dev.starling.worker.testing.TestPeer;
import dev.starling.worker.testing.WorkerHarness;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's data plane end to end: a fake coordinator, in-JVM peers, the real worker, real sockets. */
class DataPlaneWorkerTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeCoordinator coordinator;

    @BeforeEach
    void startCoordinator() throws Exception {
        coordinator = new FakeCoordinator();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        coordinator.close();
    }

    private WorkerHarness.Builder worker() {
        return WorkerHarness.builder(coordinator, dir.resolve("worker")).apps(Apps.of(new TestApp()));
    }

    private WorkerHarness start(WorkerHarness.Builder builder) {
        WorkerHarness worker = builder.start();
        closeables.add(worker);
        return worker;
    }

    private TestPeer peer(long hostId) {
        TestPeer peer = new TestPeer(hostId, dir.resolve("peer-" + hostId), coordinator.grants());
        closeables.add(peer);
        return peer;
    }

    private TaskResult resultOf(long task) {
        until(() -> coordinator.accepted().containsKey(task));
        return coordinator.accepted().get(task);
    }

    private static String readLine(byte[] content) {
        return ContentAddress.of(content) + " " + content.length + "\n";
    }

    private List<AnnounceBlobsRequest> announcementsHolding(String blobId) {
        return coordinator.announcements().stream().filter(a -> a.getHoldingList().contains(blobId)).toList();
    }

    @Test
    void fetchesATasksInputsBeforeComputingAndReportsWhereTheBytesCameFrom() {
        byte[] fromPeers = TestBlobs.random(1, 3 * CHUNK - 5);
        byte[] partlyFromCoordinator = TestBlobs.random(2, 2 * CHUNK);
        TestPeer a = peer(1).holding(fromPeers).holdingChunks(partlyFromCoordinator, 0);
        TestPeer b = peer(2).holding(fromPeers);
        coordinator.seed().holding(partlyFromCoordinator);
        start(worker());

        long task = coordinator.offer("read", coordinator.source(fromPeers, false, a.asPeer(), b.asPeer()),
                coordinator.source(partlyFromCoordinator, true, a.asPeer()));

        TaskResult result = resultOf(task);
        assertThat(result.getSuccess().getOutput().toStringUtf8())
                .isEqualTo(readLine(fromPeers) + readLine(partlyFromCoordinator));
        assertThat(result.getTransfer().getBytesFromPeers()).isEqualTo(fromPeers.length + CHUNK);
        assertThat(result.getTransfer().getBytesFromCoordinator()).isEqualTo(CHUNK);
        assertThat(coordinator.seed().asked()).containsExactly(new FakeSeed.Asked(TestBlobs.id(partlyFromCoordinator), 1));
        untilAsserted(() -> assertThat(announcementsHolding(TestBlobs.id(fromPeers))).isNotEmpty());
        assertThat(coordinator.registrations().get(0).getPeerAddress()).matches(".+:\\d+");
    }

    @Test
    void aSecondTaskReadsTheCachedCopyWithoutFetchingAgain() {
        byte[] content = TestBlobs.random(3, CHUNK + 1);
        coordinator.seed().holding(content);
        start(worker());

        long first = coordinator.offer("read", coordinator.source(content, true));
        assertThat(resultOf(first).getTransfer().getBytesFromCoordinator()).isEqualTo(content.length);
        long second = coordinator.offer("read", coordinator.source(content, true));

        TaskResult again = resultOf(second);
        assertThat(again.getSuccess().getOutput().toStringUtf8()).isEqualTo(readLine(content));
        assertThat(again.hasTransfer()).isFalse();
        assertThat(coordinator.seed().bytesServed()).isEqualTo(content.length);
    }

    @Test
    void storedBlobsAreReportedAsProducedAnnouncedAndServedToPeersThatHoldAToken() throws Exception {
        start(worker());
        long task = coordinator.offer("store:intermediate data");

        TaskResult result = resultOf(task);
        byte[] stored = "intermediate data".getBytes(StandardCharsets.UTF_8);
        String id = ContentAddress.of(stored);
        assertThat(result.getSuccess().getOutput().toStringUtf8()).isEqualTo(id);
        assertThat(result.getSuccess().getProducedList())
                .containsExactly(BlobRef.newBuilder().setBlobId(id).setSize(stored.length).build());
        untilAsserted(() -> assertThat(announcementsHolding(id)).isNotEmpty());

        String address = coordinator.registrations().get(0).getPeerAddress();
        ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        closeables.add(channel::shutdownNow);
        ByteArrayOutputStream fetched = new ByteArrayOutputStream();
        PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .fetchChunks(FetchChunksRequest.newBuilder().setBlobId(id).setToken(coordinator.grants().token(id))
                        .addChunks(0).build())
                .forEachRemaining(c -> fetched.writeBytes(c.getData().toByteArray()));
        assertThat(fetched.toByteArray()).isEqualTo(stored);
    }

    @Test
    void keepsTheBlobsAResultNamesUntilTheCoordinatorAcknowledgedIt() {
        coordinator.failReports(Status.UNAVAILABLE.withDescription("database restarting"));
        byte[] input = TestBlobs.random(11, CHUNK);
        byte[] later = TestBlobs.random(12, CHUNK);
        coordinator.seed().holding(input).holding(later);
        start(worker().dataPlane(DataPlaneConfig.builder().cacheBytes(CHUNK).build()));
        String stored = ContentAddress.of("intermediate".getBytes(StandardCharsets.UTF_8));
        Path storedFile = dir.resolve("worker").resolve("blobs").resolve(stored.substring(7) + ".data");

        long producer = coordinator.offer("store:intermediate");
        until(() -> coordinator.wasEverReported(producer));
        long reader = coordinator.offer("read", coordinator.source(input, true)); // needs the whole cache
        until(() -> coordinator.wasEverReported(reader));
        // the stored blob is kept while its result is unreported; the input, needed by nobody now, makes room
        untilAsserted(() -> assertThat(coordinator.announcements().stream().flatMap(a -> a.getDroppedList().stream()))
                .containsExactly(TestBlobs.id(input)));
        assertThat(storedFile).exists();

        coordinator.failReports(null);
        until(() -> coordinator.accepted().keySet().containsAll(List.of(producer, reader)));
        long next = coordinator.offer("read", coordinator.source(later, true));
        resultOf(next);
        untilAsserted(() -> assertThat(coordinator.announcements().stream().flatMap(a -> a.getDroppedList().stream()))
                .containsExactly(TestBlobs.id(input), stored));
        assertThat(storedFile).doesNotExist();
    }

    @Test
    void aTaskWhoseInputNobodyHasFailsAsInputUnavailable() throws IOException {
        byte[] content = TestBlobs.random(4, CHUNK);
        start(worker());

        long task = coordinator.offer("read", coordinator.source(content, false, unreachable(9)));

        Failure failure = resultOf(task).getFailure();
        assertThat(failure.getKind()).isEqualTo(Failure.Kind.INPUT_UNAVAILABLE);
        assertThat(failure.getMissingBlobIdsList()).containsExactly(TestBlobs.id(content));
        assertThat(failure.getMessage()).contains("blob " + TestBlobs.id(content) + " could not be fetched");
    }

    @Test
    void anInputLargerThanTheWholeCacheIsGivenBack() {
        byte[] content = TestBlobs.random(5, 2 * CHUNK);
        coordinator.seed().holding(content);
        start(worker().dataPlane(DataPlaneConfig.builder().cacheBytes(CHUNK).build()));

        long task = coordinator.offer("read", coordinator.source(content, true));

        Failure failure = resultOf(task).getFailure();
        assertThat(failure.getKind()).isEqualTo(Failure.Kind.GIVEN_BACK);
        assertThat(failure.getMessage()).contains("is larger than this worker's blob cache (--cache-size 1 MiB)");
    }

    @Test
    void aWorkerBehindNatAdvertisesNoAddressButStillGetsItsDataFromPeersAndTheCoordinator() {
        byte[] content = TestBlobs.random(6, 3 * CHUNK);
        TestPeer partial = peer(1).holdingChunks(content, 0, 2);
        coordinator.seed().holding(content);
        start(worker().dataPlane(DataPlaneConfig.builder().cacheBytes(64L * CHUNK)
                .serving(DataPlaneConfig.Serving.BEHIND_NAT).build()));

        long task = coordinator.offer("read", coordinator.source(content, true, partial.asPeer()));

        TaskResult result = resultOf(task);
        assertThat(result.getSuccess().getOutput().toStringUtf8()).isEqualTo(readLine(content));
        assertThat(result.getTransfer().getBytesFromPeers()).isEqualTo(2L * CHUNK);
        assertThat(result.getTransfer().getBytesFromCoordinator()).isEqualTo(CHUNK);
        assertThat(coordinator.registrations()).allSatisfy(r -> assertThat(r.getPeerAddress()).isEmpty());
    }

    @Test
    void aWorkerThatServesNoPeersAdvertisesNoAddress() {
        start(worker().dataPlane(DataPlaneConfig.builder().serving(DataPlaneConfig.Serving.NO_SERVE).build()));
        until(() -> !coordinator.registrations().isEmpty());
        assertThat(coordinator.registrations().get(0).getPeerAddress()).isEmpty();
    }

    @Test
    void complainsAboutAPeerThatServedABadChunk() {
        byte[] content = TestBlobs.random(7, 2 * CHUNK);
        FakeSeed lying = new FakeSeed(coordinator.grants()).holding(content).corrupt(content, 0).corrupt(content, 1);
        SeedServer liar = new SeedServer(lying);
        closeables.add(liar);
        coordinator.seed().holding(content);
        start(worker());

        long task = coordinator.offer("read", coordinator.source(content, true, liar.asPeer(66)));

        assertThat(resultOf(task).getSuccess().getOutput().toStringUtf8()).isEqualTo(readLine(content));
        untilAsserted(() -> assertThat(coordinator.announcements().stream().flatMap(a -> a.getComplaintsList().stream()))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getHostId()).isEqualTo(66);
                    assertThat(c.getBlobId()).isEqualTo(TestBlobs.id(content));
                    assertThat(c.getReason()).endsWith("does not match its leaf hash");
                }));
    }

    @Test
    void announcesEverythingItHoldsAfterEachRegistrationAndEvictionsAsDropped() throws Exception {
        byte[] first = TestBlobs.random(8, 2 * CHUNK);
        byte[] second = TestBlobs.random(9, 2 * CHUNK);
        coordinator.seed().holding(first).holding(second);
        WorkerHarness w = start(worker().dataPlane(DataPlaneConfig.builder().cacheBytes(3L * CHUNK).build()));
        until(() -> coordinator.announcements().stream().anyMatch(AnnounceBlobsRequest::getComplete));
        long one = coordinator.offer("read", coordinator.source(first, true));
        resultOf(one);
        w.stop();

        int before = coordinator.announcements().size();
        start(worker().dataPlane(DataPlaneConfig.builder().cacheBytes(3L * CHUNK).build()));
        untilAsserted(() -> assertThat(coordinator.announcements().subList(before, coordinator.announcements().size()))
                .anySatisfy(a -> {
                    assertThat(a.getComplete()).isTrue();
                    assertThat(a.getHoldingList()).containsExactly(TestBlobs.id(first));
                }));

        long two = coordinator.offer("read", coordinator.source(second, true)); // does not fit beside the first
        resultOf(two);
        untilAsserted(() -> assertThat(coordinator.announcements().stream().flatMap(a -> a.getDroppedList().stream()))
                .containsExactly(TestBlobs.id(first)));
        untilAsserted(() -> assertThat(announcementsHolding(TestBlobs.id(second))).isNotEmpty());
    }

    @Test
    void peersFetchFromAWorkerWhileItIsStillFetchingAndOnlyWithAValidToken() throws Exception {
        byte[] content = TestBlobs.random(10, 2 * CHUNK);
        coordinator.seed().holding(content).closeGate();
        start(worker());
        coordinator.offer("read", coordinator.source(content, true));
        until(() -> !coordinator.registrations().isEmpty() && coordinator.seed().chunkCalls() > 0);

        String address = coordinator.registrations().get(0).getPeerAddress();
        ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        closeables.add(channel::shutdownNow);
        var stub = PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        String id = TestBlobs.id(content);
        // it holds the manifest and nothing verified yet: it says so, to token holders only
        var have = stub.getHave(BlobRequest.newBuilder().setBlobId(id).setToken(coordinator.grants().token(id)).build());
        assertThat(have.getChunkCount()).isEqualTo(2);
        assertThat(have.getComplete()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.getHave(BlobRequest.newBuilder().setBlobId(id).build()))
                .hasMessageContaining("UNAUTHENTICATED");
        coordinator.seed().open();
    }

    /** A loopback address where nothing listens. */
    private static Peer unreachable(long hostId) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Peer.newBuilder().setHostId(hostId).setAddress("127.0.0.1:" + socket.getLocalPort()).build();
        }
    }
}
