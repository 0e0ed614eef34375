package dev.starling.coordinator.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.peer.FetchGrants;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.FetchGrant;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Manifest;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.sdk.ContentAddress;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The coordinator's PeerService over real gRPC: tokens, manifests, chunks, super-seeding and accounting. */
class PeerGrpcServiceTest extends CoordinatorTest {
    private static final AtomicLong JOBS = new AtomicLong(1000);

    @Autowired
    private BlobService blobs;
    @Autowired
    private FetchGrants grants;
    @Autowired
    private TransferLedger ledger;
    @Autowired
    private MeterRegistry meters;
    @Autowired
    private JdbcClient jdbc;

    private final List<TestHost> hosts = new ArrayList<>();
    private ManagedChannel channel;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.blobs.dir", () -> "target/test-blobs-peer-" + java.util.UUID.randomUUID());
    }

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext()
                .maxInboundMessageSize(4 << 20).build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (TestHost h : hosts) {
            h.close();
        }
    }

    @Test
    void callsWithoutAValidTokenAreRefused() throws IOException {
        Blob blob = upload(ContentAddress.CHUNK_SIZE + 10, 1);
        Blob other = upload(100, 2);
        long host = host("refused", null);
        long job = JOBS.incrementAndGet();

        refused("", blob, Status.Code.UNAUTHENTICATED, "no fetch token");
        refused("garbage", blob, Status.Code.UNAUTHENTICATED, "not a fetch token");
        refused(grants.sign(blob.id(), host, job, clock.instant().minusSeconds(1)), blob, Status.Code.UNAUTHENTICATED,
                "expired");
        refused(grants.sign(other.id(), host, job, clock.instant().plusSeconds(600)), blob, Status.Code.PERMISSION_DENIED,
                "grants blob '" + other.id() + "'");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(FetchGrant.newBuilder().setBlobId(blob.id())
                .setHostId(host).setJobId(job).setExpiresEpochMillis(clock.millis() + 600_000).build().toByteArray())
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
        refused(forged, blob, Status.Code.UNAUTHENTICATED, "signature");
        // what an unsigned token claims is not believed: it is UNAUTHENTICATED, as at a worker, whatever blob it names
        refused(".", blob, Status.Code.UNAUTHENTICATED, "not a fetch token");
        String forgedForOther = Base64.getUrlEncoder().withoutPadding().encodeToString(FetchGrant.newBuilder()
                .setBlobId(other.id()).setExpiresEpochMillis(clock.millis() + 600_000).build().toByteArray())
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
        refused(forgedForOther, blob, Status.Code.UNAUTHENTICATED, "signature");
        assertThat(transferRows(job)).isZero();
    }

    @Test
    void aBannedHostsTokensStopAtOnce() throws IOException {
        Blob blob = upload(100, 3);
        long host = host("banned", null);
        String token = token(blob, host, JOBS.incrementAndGet());
        assertThat(fetch(blob.id(), token, 0)).singleElement().satisfies(hasData(blob));

        assertThat(api().post("/api/v1/admin/hosts/" + host + "/ban", "{\"reason\": \"scraping\"}").status())
                .isEqualTo(200);
        refused(token, blob, Status.Code.PERMISSION_DENIED, "host " + host + " is banned by the project's admin: scraping");

        api().post("/api/v1/admin/hosts/" + host + "/unban", "");
        assertThat(fetch(blob.id(), token, 0)).singleElement().satisfies(hasData(blob));
    }

    @Test
    void aBlobTheCoordinatorDoesNotStoreIsNotFound() {
        String id = "sha256:" + "ef".repeat(32);
        String token = grants.sign(id, host("lost", null), JOBS.incrementAndGet(), clock.instant().plusSeconds(600));

        assertThatThrownBy(() -> stub().getManifest(BlobRequest.newBuilder().setBlobId(id).setToken(token).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> fetch(id, token, 0))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void chunksMatchTheManifestWhichMatchesTheId() throws Exception {
        byte[] bytes = BlobApiTest.random(2 * ContentAddress.CHUNK_SIZE + 999, 3);
        Blob blob = blobs.upload(new ByteArrayInputStream(bytes), bytes.length, Caller.ADMIN);
        String token = token(blob, host("fetcher", null), JOBS.incrementAndGet());

        Manifest manifest = stub().getManifest(BlobRequest.newBuilder().setBlobId(blob.id()).setToken(token).build());
        assertThat(manifest.getSize()).isEqualTo(bytes.length);
        assertThat(manifest.getChunkSize()).isEqualTo(ContentAddress.CHUNK_SIZE);
        List<byte[]> leaves = manifest.getLeafHashesList().stream().map(ByteString::toByteArray).toList();
        assertThat(leaves).hasSize(3);
        assertThat("sha256:" + java.util.HexFormat.of().formatHex(ContentAddress.root(leaves))).isEqualTo(blob.id());

        Have have = stub().getHave(BlobRequest.newBuilder().setBlobId(blob.id()).setToken(token).build());
        assertThat(have.getChunkCount()).isEqualTo(3);
        assertThat(have.getComplete()).isTrue();
        assertThat(have.getBitfield().toByteArray()).containsExactly(0b111);

        List<Chunk> chunks = fetch(blob.id(), token, 2, 0, 1);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.stream().sorted(java.util.Comparator.comparingInt(Chunk::getIndex)).forEach(c -> {
            assertThat(c.getSeedsList()).isEmpty();
            assertThat(MessageDigest.isEqual(sha256(c.getData().toByteArray()), leaves.get(c.getIndex()))).isTrue();
            joined.writeBytes(c.getData().toByteArray());
        });
        assertThat(chunks).extracting(Chunk::getIndex).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(joined.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void chunkRequestsAreBounded() throws IOException {
        Blob blob = upload(ContentAddress.CHUNK_SIZE * 2, 4);
        String token = token(blob, host("greedy", null), JOBS.incrementAndGet());

        invalid(() -> fetch(blob.id(), token, IntStream.range(0, 17).map(i -> i % 2).toArray()), "1 to 16 chunks");
        invalid(() -> fetch(blob.id(), token), "1 to 16 chunks");
        invalid(() -> fetch(blob.id(), token, 2), "no chunk 2");
        invalid(() -> fetch(blob.id(), token, -1), "no chunk 4294967295");
    }

    @Test
    void laterHostsArePointedAtEarlierOnesAndServedWhenTheyAskAgain() throws IOException {
        Blob blob = upload(3 * ContentAddress.CHUNK_SIZE, 5);
        long job = JOBS.incrementAndGet();
        long a = host("seed-a", "127.0.0.1:7001");
        long b = host("seed-b", "127.0.0.1:7002");
        long c = host("seed-c", "127.0.0.1:7003");
        long hidden = host("no-address", null);

        assertThat(fetch(blob.id(), token(blob, a, job), 0, 1)).allSatisfy(hasData(blob));
        List<Chunk> firstAsk = fetch(blob.id(), token(blob, b, job), 0);
        assertThat(firstAsk).singleElement().satisfies(chunk -> {
            assertThat(chunk.getIndex()).isZero();
            assertThat(chunk.getData().isEmpty()).isTrue();
            assertThat(chunk.getSeedsList()).containsExactly(peer(a, "127.0.0.1:7001"));
        });
        // its seed failed it: asking again gets the data
        assertThat(fetch(blob.id(), token(blob, b, job), 0)).singleElement().satisfies(hasData(blob));
        // newest seed first
        assertThat(fetch(blob.id(), token(blob, c, job), 0)).singleElement().satisfies(chunk ->
                assertThat(chunk.getSeedsList()).containsExactly(peer(b, "127.0.0.1:7002"), peer(a, "127.0.0.1:7001")));
        // a host that serves no peers is nobody's seed
        assertThat(fetch(blob.id(), token(blob, hidden, job), 2)).singleElement().satisfies(hasData(blob));
        assertThat(fetch(blob.id(), token(blob, b, job), 2)).singleElement().satisfies(hasData(blob));

        // past the window the coordinator forgets whom it served
        clock.advance(Duration.ofSeconds(61));
        assertThat(fetch(blob.id(), token(blob, c, job), 1)).singleElement().satisfies(hasData(blob));
    }

    @Test
    void everyByteServedIsRecordedForTheJobOnceACall() throws IOException {
        Blob blob = upload(2 * ContentAddress.CHUNK_SIZE + 5, 6);
        long job = JOBS.incrementAndGet();
        long a = host("count-a", "127.0.0.1:7011");
        long b = host("count-b", "127.0.0.1:7012");
        double before = served();

        fetch(blob.id(), token(blob, a, job), 0, 1, 2);
        assertThat(transferRows(job)).isEqualTo(1);
        fetch(blob.id(), token(blob, b, job), 0, 1); // seeds only: nothing served, nothing recorded
        assertThat(transferRows(job)).isEqualTo(1);
        fetch(blob.id(), token(blob, b, job), 1); // asked again: served

        long expected = blob.size() + ContentAddress.CHUNK_SIZE;
        assertThat(ledger.totals(List.of(job)).get(job).bytesFromCoordinator()).isEqualTo(expected);
        assertThat(ledger.totals(List.of(job)).get(job).bytesFromPeers()).isZero();
        assertThat(transferRows(job)).isEqualTo(2);
        assertThat(served() - before).isEqualTo(expected);
    }

    private void refused(String token, Blob blob, Status.Code code, String why) {
        Consumer<Throwable> check = e -> {
            Status status = ((StatusRuntimeException) e).getStatus();
            assertThat(status.getCode()).isEqualTo(code);
            assertThat(status.getDescription()).contains(why);
        };
        BlobRequest request = BlobRequest.newBuilder().setBlobId(blob.id()).setToken(token).build();
        assertThatThrownBy(() -> stub().getManifest(request)).isInstanceOfSatisfying(StatusRuntimeException.class, check::accept);
        assertThatThrownBy(() -> stub().getHave(request)).isInstanceOfSatisfying(StatusRuntimeException.class, check::accept);
        assertThatThrownBy(() -> fetch(blob.id(), token, 0)).isInstanceOfSatisfying(StatusRuntimeException.class, check::accept);
    }

    private static void invalid(Runnable call, String why) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains(why);
        });
    }

    private Consumer<Chunk> hasData(Blob blob) {
        return chunk -> {
            assertThat(chunk.getSeedsList()).isEmpty();
            assertThat(chunk.getData().size()).isEqualTo(blob.chunkLength(chunk.getIndex()));
            assertThat(MessageDigest.isEqual(sha256(chunk.getData().toByteArray()), blob.leaf(chunk.getIndex()))).isTrue();
        };
    }

    private List<Chunk> fetch(String blobId, String token, int... chunks) {
        FetchChunksRequest.Builder request = FetchChunksRequest.newBuilder().setBlobId(blobId).setToken(token);
        for (int c : chunks) {
            request.addChunks(c);
        }
        List<Chunk> answer = new ArrayList<>();
        stub().fetchChunks(request.build()).forEachRemaining(answer::add);
        return answer;
    }

    private PeerServiceGrpc.PeerServiceBlockingStub stub() {
        return PeerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private Blob upload(int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return blobs.upload(new ByteArrayInputStream(bytes), size, Caller.ADMIN);
    }

    private String token(Blob blob, long host, long job) {
        return grants.sign(blob.id(), host, job, clock.instant().plusSeconds(600));
    }

    /** Registers a host, serving peers at {@code peerAddress} when given. */
    private long host(String name, String peerAddress) {
        TestHost h = new TestHost(grpcPort(), "");
        hosts.add(h);
        RegisterRequest.Builder r = RegisterRequest.newBuilder().setProtocolVersion(1).setName(name).setCores(1)
                .setMemoryBytes(1L << 30).setOs("Linux").setArch("amd64").setWorkerVersion("test").addApps("primes")
                .setAccountKey(signUp(name));
        if (peerAddress != null) {
            r.setPeerAddress(peerAddress);
        }
        return h.stub(false).register(r.build()).getHostId();
    }

    private static Peer peer(long hostId, String address) {
        return Peer.newBuilder().setHostId(hostId).setAddress(address).build();
    }

    private long transferRows(long job) {
        return jdbc.sql("SELECT count(*) FROM job_transfer WHERE job_id = ?").param(job).query(Long.class).single();
    }

    private double served() {
        return meters.get("starling.transfer.bytes").tag("source", "coordinator").counter().count();
    }

    private static byte[] sha256(byte[] bytes) {
        return ChunkHasher.sha256().digest(bytes);
    }
}
