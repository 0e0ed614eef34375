package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.TransferStats;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.sdk.ContentAddress;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A worker is a stranger's program: requests a real worker never sends, sent as an attacker would over real gRPC,
 * each answered with a status that names what is wrong, changing nothing, and never failing another host's call.
 */
class HostileInputTest extends CoordinatorTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
    }

    @Autowired
    private DataSource dataSource;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DispatchQueries dispatchQueries;

    @Autowired
    private MeterRegistry meters;

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    /** Submits a primes job of {@code units} work units, one replica each, and waits until it is split. */
    private long job(int units) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        await().until(() -> results(id).size() >= units);
        return id;
    }

    private List<JsonNode> results(long jobId) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode wu : api().get("/api/v1/jobs/" + jobId + "/workunits?size=500").json().get("items")) {
            wu.get("results").forEach(all::add);
        }
        return all;
    }

    private JsonNode result(long jobId, Task task) {
        return results(jobId).stream().filter(r -> r.get("id").asLong() == task.getResultId()).findFirst().orElseThrow();
    }

    private long hostCount() {
        return api().get("/api/v1/hosts?size=1").json().get("total").asLong();
    }

    private static void assertStatus(ThrowableAssert.ThrowingCallable call, Status.Code code, String... described) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            Status s = e.getStatus();
            assertThat(s.getCode()).as(s.toString()).isEqualTo(code);
            for (String words : described) {
                assertThat(s.getDescription()).as(s.toString()).contains(words);
            }
        });
    }

    private static TaskResult success(Task task, String output) {
        byte[] bytes = output.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return TaskResult.newBuilder().setResultId(task.getResultId()).setCpuTimeMillis(5)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(bytes))
                        .setOutputHash(ContentAddress.of(bytes)).setOutputSize(bytes.length)).build();
    }

    // --- one bad request fails others ---

    @Test
    void aNulInAFailureMessageIsCleanedNotLost() {
        TestHost a = volunteerHost("nul-message", "primes");
        long job = job(1);
        Task task = a.requestWork(1).get(0);

        ReportAck ack = a.fail(task, Failure.Kind.COMPUTE_ERROR, "bad\0news\u0007 from\nthe app");

        assertThat(ack.getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        JsonNode stored = result(job, task);
        assertThat(stored.get("state").asString()).isEqualTo("ERROR");
        assertThat(stored.get("error").asString()).isEqualTo("bad\uFFFDnews\uFFFD from\nthe app");
    }

    @Test
    void registerFieldsWithTextPostgresqlRefusesAreInvalidAndStoreNothing() {
        TestHost h = closedAfterTest(new TestHost(grpcPort(), signUp("nul-register")));
        long before = hostCount();

        assertStatus(() -> h.stub(false).register(h.registration("evil\0host").build()),
                Status.Code.INVALID_ARGUMENT, "name");
        assertStatus(() -> h.stub(false).register(h.registration("host").setOs("Linux\0").build()),
                Status.Code.INVALID_ARGUMENT, "os");
        assertStatus(() -> h.stub(false).register(h.registration("host").setArch("amd\u001b[31m64").build()),
                Status.Code.INVALID_ARGUMENT, "arch");
        assertStatus(() -> h.stub(false).register(h.registration("host").setWorkerVersion("1\0").build()),
                Status.Code.INVALID_ARGUMENT, "worker_version");
        assertStatus(() -> h.stub(false).register(h.registration("host", "primes", "pri\0mes").build()),
                Status.Code.INVALID_ARGUMENT, "apps");
        assertStatus(() -> h.stub(false).register(h.registration("host").setPeerAddress("a\0b:7000").build()),
                Status.Code.INVALID_ARGUMENT, "peer_address");

        assertThat(hostCount()).isEqualTo(before);
    }

    /** The same text over REST: a 400 naming the character, never a 500; nothing stored. */
    @Test
    void restTextPostgresqlRefusesIsA400() {
        var signUp = anonymous().post("/api/v1/volunteers", "{\"name\":\"evil\\u0000\",\"email\":\"nul@example.org\"}");
        assertThat(signUp.status()).as(signUp.body()).isEqualTo(400);
        assertThat(signUp.json().get("type").asString()).endsWith("invalid-text");
        assertThat(anonymous().post("/api/v1/volunteers", "{\"name\":\"fine\",\"email\":\"nul@example.org\"}").status())
                .as("the address is free: nothing was stored").isEqualTo(201);

        var job = api().post("/api/v1/jobs", "{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,"
                + "\"chunkSize\":1000,\"note\":\"a\\u0000b\"},\"redundancy\":{\"quorum\":1,\"initialReplicas\":1}}");
        assertThat(job.status()).as(job.body()).isEqualTo(400);
    }

    @Test
    void aNulInAComplaintsReasonIsCleaned() {
        TestHost reporter = volunteerHost("nul-complaint", "primes");
        TestHost accused = volunteerHost("accused", "primes");
        String blob = ContentAddress.of(new byte[] {1, 2, 3});
        // the tracker hears a complaint only of a peer it offered the reporter: as if a task had listed it
        jdbc.sql("INSERT INTO peer_offer (host_id, blob_id, peers, offered_at) VALUES (:r, :b, ARRAY[:a], now())")
                .param("r", reporter.id()).param("b", blob).param("a", accused.id()).update();

        reporter.stub(true).announceBlobs(AnnounceBlobsRequest.newBuilder().addComplaints(PeerComplaint.newBuilder()
                .setHostId(accused.id()).setBlobId(blob).setChunk(0).setReason("bad\0chunk")).build());

        assertThat(jdbc.sql("SELECT reason FROM peer_complaint WHERE reporter_host_id = :r")
                .param("r", reporter.id()).query(String.class).single()).isEqualTo("bad\uFFFDchunk");
    }

    /**
     * Reports queued while a report batch runs are stored together in the next batch (group commit): a report the
     * database refuses must not fail the others with it. The first report waits on a work unit row this test locks,
     * so that the two next ones are in one batch for certain.
     */
    @Test
    void anHonestReportBatchedWithABadOneIsStored() throws Exception {
        TestHost first = volunteerHost("first", "primes");
        TestHost bad = volunteerHost("bad", "primes");
        TestHost honest = volunteerHost("honest", "primes");
        long job = job(3);
        Task blocked = first.requestWork(1).get(0);
        Task badTask = bad.requestWork(1).get(0);
        Task honestTask = honest.requestWork(1).get(0);

        CompletableFuture<ReportAck> firstAck;
        CompletableFuture<ReportAck> badAck;
        CompletableFuture<ReportAck> honestAck;
        try (Connection lock = dataSource.getConnection();
                ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("SELECT id FROM work_unit WHERE id = ? FOR UPDATE")) {
                s.setLong(1, blocked.getWorkUnitId());
                s.executeQuery().close();
            }
            firstAck = CompletableFuture.supplyAsync(() -> first.succeed(blocked, "168"), calls);
            await().until(this::reportWaitsForLock);
            badAck = CompletableFuture.supplyAsync(() -> bad.fail(badTask, Failure.Kind.COMPUTE_ERROR, "nul\0"), calls);
            honestAck = CompletableFuture.supplyAsync(() -> honest.report(success(honestTask, "135")), calls);
            await().until(() -> queued("reports") == 2);
            lock.commit();
        }

        assertThat(firstAck.get().getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(honestAck.get().getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(badAck.get().getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(result(job, honestTask).get("state").asString()).isIn("REPORTED", "VALID");
    }

    /** Whether a report batch waits for a work unit's lock (ValidationQueries.lockOwners). */
    private boolean reportWaitsForLock() {
        return jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'SELECT r.id AS result_id%'").query(Long.class).single() > 0;
    }

    private double queued(String batch) {
        return meters.get("starling.batch.queued").tag("batch", batch).gauge().value();
    }

    // --- bounds ---

    @Test
    void aHeartbeatOfMoreTasksThanAWorkerHoldsIsInvalid() {
        TestHost a = volunteerHost("many-ids", "primes");
        HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder();
        LongStream.rangeClosed(1, 70_000).forEach(id -> b.addTasks(TaskProgress.newBuilder().setResultId(id)));

        assertStatus(() -> a.stub(true).heartbeat(b.build()), Status.Code.INVALID_ARGUMENT, "tasks", "10000");
    }

    @Test
    void idListsTravelAsArraysNotAsOneParameterEach() {
        List<Long> ids = LongStream.rangeClosed(1, 70_000).boxed().toList();

        assertThat(dispatchQueries.stillUseful(1, ids)).isEmpty();
        assertThat(dispatchQueries.unclaim(1, ids)).isZero();
    }

    @Test
    void everyRepeatedFieldAndStringOfARequestIsBounded() {
        TestHost a = volunteerHost("bounds", "primes");
        String[] apps = LongStream.range(0, 10_000).mapToObj(i -> "app" + i).toArray(String[]::new);
        String blob = ContentAddress.of(new byte[0]);

        assertStatus(() -> a.stub(false).register(a.registration("bounds", apps).build()),
                Status.Code.INVALID_ARGUMENT, "apps");
        assertStatus(() -> a.stub(false).register(a.registration("x".repeat(201)).build()),
                Status.Code.INVALID_ARGUMENT, "name");
        assertStatus(() -> a.stub(false).register(a.registration("bounds", "p".repeat(101)).build()),
                Status.Code.INVALID_ARGUMENT, "apps");
        assertStatus(() -> a.stub(false).register(a.registration("bounds").setOs("L".repeat(101)).build()),
                Status.Code.INVALID_ARGUMENT, "os");
        assertStatus(() -> a.stub(false).register(a.registration("bounds").setAccountKey("k".repeat(201)).build()),
                Status.Code.INVALID_ARGUMENT, "account_key");
        assertStatus(() -> a.stub(true).reportResults(ReportResultsRequest.newBuilder().addResults(TaskResult
                        .newBuilder().setResultId(1).setFailure(Failure.newBuilder().setKind(Failure.Kind.INPUT_UNAVAILABLE)
                                .addAllMissingBlobIds(java.util.Collections.nCopies(1001, blob)))).build()),
                Status.Code.INVALID_ARGUMENT, "missing_blob_ids");
        assertStatus(() -> a.stub(true).reportResults(ReportResultsRequest.newBuilder().addResults(TaskResult
                        .newBuilder().setResultId(1).setSuccess(Success.newBuilder().setOutputHash("h".repeat(100_000))))
                        .build()),
                Status.Code.INVALID_ARGUMENT, "output_hash");
        List<PeerComplaint> complaints = LongStream.range(0, 1001).mapToObj(i -> PeerComplaint.newBuilder()
                .setHostId(i).setBlobId(blob).build()).toList();
        assertStatus(() -> a.stub(true).announceBlobs(AnnounceBlobsRequest.newBuilder().addAllComplaints(complaints)
                .build()), Status.Code.INVALID_ARGUMENT, "complaints");
    }

    // --- counters ---

    @Test
    void countersOutOfRangeAreRefusedAndJobViewsNeverOverflow() {
        TestHost a = volunteerHost("counters", "primes");
        long job = job(2);
        List<Task> tasks = a.requestWork(2);

        for (Task t : tasks) {
            TaskResult huge = success(t, "x").toBuilder()
                    .setTransfer(TransferStats.newBuilder().setBytesFromPeers(Long.MAX_VALUE)).build();
            assertStatus(() -> a.report(huge), Status.Code.INVALID_ARGUMENT, "bytes_from_peers");
            TaskResult negativeCpu = success(t, "x").toBuilder().setCpuTimeMillis(-1).build();
            assertStatus(() -> a.report(negativeCpu), Status.Code.INVALID_ARGUMENT, "cpu_time_millis");
        }
        assertThat(result(job, tasks.get(0)).get("state").asString()).as("nothing stored").isEqualTo("IN_PROGRESS");

        // the largest counters a worker may send, added up, and rows beyond any sum a long holds
        for (Task t : tasks) {
            TaskResult most = success(t, t.getIndex() == 0 ? "168" : "135").toBuilder().setTransfer(
                    TransferStats.newBuilder().setBytesFromPeers(WireLimits.MAX_BYTES)).build();
            assertThat(a.report(most).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        }
        assertThat(api().job(job).get("transfer").get("bytesFromPeers").asLong()).isEqualTo(2 * WireLimits.MAX_BYTES);
        jdbc.sql("INSERT INTO job_transfer (job_id, from_coordinator, from_peers) VALUES (:j, :m, :m), (:j, :m, :m)")
                .param("j", job).param("m", Long.MAX_VALUE).update();

        var view = api().get("/api/v1/jobs/" + job);
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.json().get("transfer").get("bytesFromPeers").asLong()).as("at most a long").isEqualTo(Long.MAX_VALUE);
        assertThat(api().get("/api/v1/jobs").status()).isEqualTo(200);
    }

    // --- malformed bodies and headers ---

    @Test
    void aBodyThatIsNotProtobufIsInvalidArgument() {
        TestHost a = volunteerHost("garbage", "primes");
        byte[] truncated = {0x12, 0x05, 'a'};
        byte[] badUtf8 = {0x12, 0x01, (byte) 0xFF};

        assertStatus(() -> raw(a, false, WorkerServiceGrpc.getRegisterMethod(), truncated),
                Status.Code.INVALID_ARGUMENT, "RegisterRequest");
        assertStatus(() -> raw(a, false, WorkerServiceGrpc.getRegisterMethod(), badUtf8),
                Status.Code.INVALID_ARGUMENT, "RegisterRequest");
        assertStatus(() -> raw(a, true, WorkerServiceGrpc.getHeartbeatMethod(), new byte[] {0x0A, 0x7F}),
                Status.Code.INVALID_ARGUMENT, "HeartbeatRequest");
        // the coordinator goes on answering
        assertThat(a.heartbeat().getAbandonResultIdsCount()).isZero();
    }

    /** Sends {@code body} as the request of {@code method}, bytes as they are. */
    private static byte[] raw(TestHost host, boolean authenticated, MethodDescriptor<?, ?> method, byte[] body) {
        MethodDescriptor<byte[], byte[]> bytes = method.toBuilder(BYTES, BYTES).build();
        WorkerServiceGrpc.WorkerServiceBlockingStub stub = host.stub(authenticated);
        return ClientCalls.blockingUnaryCall(stub.getChannel(), bytes, stub.getCallOptions(), body);
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    @Test
    void memoryAndCoresBeyondTheirRangesAreRefused() {
        TestHost h = closedAfterTest(new TestHost(grpcPort(), signUp("memory")));

        assertStatus(() -> h.stub(false).register(h.registration("m").setMemoryBytes(-1L).build()),
                Status.Code.INVALID_ARGUMENT, "memory_bytes");
        assertStatus(() -> h.stub(false).register(h.registration("m").setCores(-1).build()),
                Status.Code.INVALID_ARGUMENT, "cores");
    }

    @Test
    void aMalformedTokenIsUnauthenticated() {
        TestHost a = volunteerHost("token", "primes");
        for (String token : List.of(".", "..", "1.", ".x", "x".repeat(5000))) {
            WorkerServiceGrpc.WorkerServiceBlockingStub stub = a.rawStub().withInterceptors(
                    io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers(token)));
            assertStatus(() -> stub.heartbeat(HeartbeatRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
        }
    }

    private static io.grpc.Metadata headers(String token) {
        io.grpc.Metadata m = new io.grpc.Metadata();
        m.put(HostAuthInterceptor.PROTOCOL, "1");
        m.put(HostAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        return m;
    }

    @Test
    void aReturningHostKeepsItsNameWhenARegistrationIsRefused() {
        TestHost a = volunteerHost("keeps-name", "primes");
        RegisterRequest again = a.registration("renamed\0").setHostId(a.id()).setHostToken(a.token()).build();

        assertStatus(() -> a.stub(false).register(again), Status.Code.INVALID_ARGUMENT, "name");
        assertThat(api().get("/api/v1/hosts/" + a.id()).json().get("name").asString()).isEqualTo("keeps-name");
    }
}
