package dev.starling.worker.peer.transfer;

import static dev.starling.worker.testing.TestBlobs.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.PeerServiceGrpc.PeerServiceBlockingStub;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.worker.peer.cache.Bitfields;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.BlobManifest;
import dev.starling.worker.peer.cache.CacheListener;
import dev.starling.worker.testing.TestBlobs;
import dev.starling.worker.testing.TestGrants;
import dev.starling.worker.testing.TestPeer;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A worker's PeerService on a real loopback socket, called through a real stub. */
class PeerServerTest {
    @TempDir
    Path dir;

    private final TestGrants grants = new TestGrants();
    private final byte[] content = TestBlobs.random(1, 3 * CHUNK - 100);
    private final String blobId = TestBlobs.id(content);
    private FetchTokens tokens;
    private BlobCache cache;
    private PeerServer server;
    private ManagedChannel channel;
    private PeerServiceBlockingStub stub;

    @BeforeEach
    void start() {
        tokens = new FetchTokens(Clock.systemUTC());
        tokens.trust(grants.publicKey());
        cache = BlobCache.open(dir, 16L * CHUNK, CacheListener.NONE, Clock.systemUTC());
        server = PeerServer.start(0, cache, tokens, RateLimiter.of(0));
        channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
                .usePlaintext().build();
        stub = PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private void holdAll() throws IOException {
        cache.store(new ByteArrayInputStream(content)).pin().close();
    }

    private List<Chunk> fetch(String token, Integer... chunks) {
        List<Chunk> received = new ArrayList<>();
        stub.fetchChunks(FetchChunksRequest.newBuilder().setBlobId(blobId).setToken(token).addAllChunks(List.of(chunks)).build())
                .forEachRemaining(received::add);
        return received;
    }

    /** The three calls, each asking for {@link #blobId} with a given token. */
    static Stream<String> calls() {
        return Stream.of("GetManifest", "GetHave", "FetchChunks");
    }

    private void call(String name, String token) {
        BlobRequest request = BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build();
        switch (name) {
            case "GetManifest" -> stub.getManifest(request);
            case "GetHave" -> stub.getHave(request);
            default -> fetch(token, 0);
        }
    }

    private void assertRefused(String call, String token, Status.Code code, String description) {
        assertThatThrownBy(() -> call(call, token))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(description);
                });
    }

    @ParameterizedTest
    @MethodSource("calls")
    void refusesACallWithoutAToken(String call) throws IOException {
        holdAll();
        assertRefused(call, "", Status.Code.UNAUTHENTICATED, "no fetch token");
    }

    @ParameterizedTest
    @MethodSource("calls")
    void refusesATokenForAnotherBlob(String call) throws IOException {
        holdAll();
        String other = TestBlobs.id(new byte[] {1});
        assertRefused(call, grants.token(other), Status.Code.PERMISSION_DENIED,
                "the fetch token grants blob " + other + ", not " + blobId);
    }

    @ParameterizedTest
    @MethodSource("calls")
    void refusesAnExpiredToken(String call) throws IOException {
        holdAll();
        Instant expired = Instant.now().minus(Duration.ofHours(1));
        assertRefused(call, grants.token(blobId, expired), Status.Code.UNAUTHENTICATED, "the fetch token expired at");
    }

    @ParameterizedTest
    @MethodSource("calls")
    void refusesATokenSignedByAnotherKey(String call) throws IOException {
        holdAll();
        assertRefused(call, TestGrants.forged(blobId), Status.Code.UNAUTHENTICATED,
                "not signed by this worker's coordinator");
    }

    @ParameterizedTest
    @MethodSource("calls")
    void refusesATokenWhoseSignatureWasTamperedWith(String call) throws IOException {
        holdAll();
        String token = grants.token(blobId);
        int dot = token.indexOf('.');
        byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        signature[10] ^= 1;
        String tampered = token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        assertRefused(call, tampered, Status.Code.UNAUTHENTICATED, "not signed by this worker's coordinator");
        assertRefused(call, "not-a-token", Status.Code.UNAUTHENTICATED, "malformed");
    }

    @Test
    void refusesEveryTokenUntilTheWorkerHasRegistered() throws IOException {
        holdAll();
        server.close();
        server = PeerServer.start(0, cache, new FetchTokens(Clock.systemUTC()), RateLimiter.of(0));
        channel.shutdownNow();
        channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
                .usePlaintext().build();
        stub = PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertRefused("GetHave", grants.token(blobId), Status.Code.UNAVAILABLE, "has not registered");
    }

    @Test
    void servesTheManifestAndEveryChunkOfACompleteBlob() throws IOException {
        holdAll();
        String token = grants.token(blobId);

        assertThat(stub.getManifest(BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build()))
                .isEqualTo(TestPeer.manifestOf(content).toProto());
        Have have = stub.getHave(BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build());
        assertThat(have.getChunkCount()).isEqualTo(3);
        assertThat(have.getComplete()).isTrue();
        assertThat(Bitfields.fromBytes(have.getBitfield(), 3).cardinality()).isEqualTo(3);
        List<Chunk> chunks = fetch(token, 2, 0, 1);
        assertThat(chunks).extracting(Chunk::getIndex).containsExactlyInAnyOrder(0, 1, 2);
        chunks.forEach(c -> assertThat(c.getData().toByteArray()).isEqualTo(TestBlobs.chunk(content, c.getIndex())));
        assertThat(server.bytesServed()).isEqualTo(content.length);
    }

    @Test
    void servesOnlyTheVerifiedChunksOfABlobItIsStillFetching() throws IOException {
        BlobManifest manifest = TestPeer.manifestOf(content);
        cache.prepareFetch(manifest);
        cache.writeChunk(blobId, 0, TestBlobs.chunk(content, 0));
        cache.writeChunk(blobId, 2, TestBlobs.chunk(content, 2));
        String token = grants.token(blobId);

        Have have = stub.getHave(BlobRequest.newBuilder().setBlobId(blobId).setToken(token).build());
        assertThat(have.getComplete()).isFalse();
        assertThat(Bitfields.fromBytes(have.getBitfield(), 3).stream().boxed().toList()).containsExactly(0, 2);
        List<Chunk> chunks = fetch(token, 0, 1, 2);
        assertThat(chunks).extracting(Chunk::getIndex).containsExactly(0, 2);
        assertThat(chunks.get(1).getData().toByteArray()).isEqualTo(TestBlobs.chunk(content, 2));
    }

    @Test
    void answersNotFoundForABlobItDoesNotHold() {
        assertRefused("GetManifest", grants.token(blobId), Status.Code.NOT_FOUND, "holds no part of blob " + blobId);
    }

    @Test
    void refusesTooManyChunksOrChunksThatDoNotExist() throws IOException {
        holdAll();
        String token = grants.token(blobId);
        Integer[] seventeen = IntStream.range(0, 17).map(i -> i % 3).boxed().toArray(Integer[]::new);
        assertThatThrownBy(() -> fetch(token, seventeen))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .isEqualTo("at most 16 chunks per call; 17 were asked for"));
        assertThatThrownBy(() -> fetch(token, 3))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("chunk 3 does not exist: the blob has 3 chunks");
                });
    }

    @Test
    void refusesAPeerThatSpeaksAnotherProtocolVersion() throws IOException {
        holdAll();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER), "2");
        PeerServiceBlockingStub newer = PeerServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)));
        assertThatThrownBy(() -> newer.getHave(BlobRequest.newBuilder().setBlobId(blobId).setToken(grants.token(blobId)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("peer protocol 1");
                });
    }

    @Test
    void servesIntactChunksUnderAnUploadCap() throws IOException, InterruptedException {
        holdAll();
        server.close();
        server = PeerServer.start(0, cache, tokens, RateLimiter.of(8L * CHUNK));
        channel.shutdownNow();
        channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
                .usePlaintext().build();
        stub = PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

        List<Chunk> chunks = fetch(grants.token(blobId), 0, 1, 2);

        assertThat(chunks).hasSize(3).allSatisfy(c -> assertThat(c.getData().toByteArray())
                .isEqualTo(TestBlobs.chunk(content, c.getIndex())));
    }
}
