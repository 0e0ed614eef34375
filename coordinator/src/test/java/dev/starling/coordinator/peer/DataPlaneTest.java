package dev.starling.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.AnnounceBlobsRequest;
import dev.starling.proto.v1.BlobRef;
import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.FetchGrant;
import dev.starling.proto.v1.PeerComplaint;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.TransferStats;
import dev.starling.sdk.ContentAddress;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The tracker's side of the data plane, driven by simulated hosts over real gRPC: what tasks say about
 * their inputs, who holds intermediate blobs, re-creating lost ones (lineage), and complaints about peers.
 * The bytes themselves travel in the end-to-end tests.
 */
class DataPlaneTest extends CoordinatorTest {
    private final List<TestHost> hosts = new ArrayList<>();

    @Autowired
    private FetchGrants grants;

    @Autowired
    private JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        // as if a proxy on this machine forwarded every worker's call: hosts that say nothing are seen as 127.0.0.1
        registry.add("starling.peers.trusted-proxies", () -> "127.0.0.1");
    }

    @AfterEach
    void close() throws InterruptedException {
        for (TestHost h : hosts) {
            h.close();
        }
        cancelActiveJobs(); // the next test's hosts see only its own work
    }

    private TestHost host(String name, String peerAddress) {
        return host(signUp(name), name, peerAddress);
    }

    /** A host of the volunteer whose account key this is. */
    private TestHost host(String accountKey, String name, String peerAddress) {
        TestHost h = new TestHost(grpcPort(), accountKey);
        h.registerServing(name, peerAddress, RelayApp.NAME);
        hosts.add(h);
        return h;
    }

    @Test
    void intermediateBlobsStayWithTheirProducersAndAreRecomputedWhenTheyAreLost() {
        long job = api().submit("""
                {"app": "test-relay", "params": {"parts": 2, "salt": "lost"}, "redundancy": {"quorum": 1, "initialReplicas": 1}}""");
        TestHost producer = host("producer", "127.0.0.1:1");
        List<Task> stage0 = awaitTasks(producer, 2);
        assertThat(stage0).allSatisfy(t -> assertThat(t.getInputsList()).isEmpty());
        for (Task t : stage0) {
            assertThat(produce(producer, t).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        }
        await().until(() -> api().job(job).get("stage").asInt() == 1);

        // the consumer is told to fetch both parts from the producer: the coordinator has no copy
        TestHost consumer = host("consumer", "127.0.0.1:2");
        Task reduce = awaitTasks(consumer, 1).get(0);
        assertThat(reduce.getStage()).isEqualTo(1);
        assertThat(reduce.getInputsList()).extracting(BlobSource::getBlobId)
                .containsExactly(ContentAddress.of(RelayApp.part("lost", 0)), ContentAddress.of(RelayApp.part("lost", 1)));
        for (BlobSource input : reduce.getInputsList()) {
            assertThat(input.getCoordinatorHasIt()).isFalse();
            assertThat(input.getSize()).isEqualTo(RelayApp.part("lost", 0).length);
            assertThat(input.getPeersList()).singleElement()
                    .satisfies(p -> assertThat(p.getHostId()).isEqualTo(producer.id()))
                    .satisfies(p -> assertThat(p.getAddress()).isEqualTo("127.0.0.1:1"));
            FetchGrant grant = grants.check(input.getToken(), input.getBlobId()).orElseThrow();
            assertThat(grant.getHostId()).isEqualTo(consumer.id());
            assertThat(grant.getJobId()).isEqualTo(job);
            assertThat(grants.check(input.getToken(), ContentAddress.of(new byte[0]))).isEmpty();
        }

        // the producer is gone: the consumer can fetch from nobody, so the parts are made again
        List<String> missing = reduce.getInputsList().stream().map(BlobSource::getBlobId).toList();
        assertThat(consumer.report(TaskResult.newBuilder().setResultId(reduce.getResultId())
                        .setFailure(Failure.newBuilder().setKind(Failure.Kind.INPUT_UNAVAILABLE)
                                .setMessage("no peer answered").addAllMissingBlobIds(missing)).build()).getStatus())
                .isEqualTo(ReportAck.Status.ACCEPTED);
        TestHost rescuer = host("rescuer", "127.0.0.1:3");
        List<Task> rerun = awaitTasks(rescuer, 2);
        assertThat(rerun).extracting(Task::getStage).containsOnly(0);
        assertThat(rerun).extracting(Task::getIndex).containsExactlyInAnyOrder(0L, 1L);
        for (Task t : rerun) {
            produce(rescuer, t);
        }

        // now the consumer's work unit is offered again, with the rescuer as the holder
        Task again = awaitTasks(consumer, 1).get(0);
        assertThat(again.getWorkUnitId()).isEqualTo(reduce.getWorkUnitId());
        assertThat(again.getInputsList()).allSatisfy(input -> assertThat(input.getPeersList())
                .extracting(p -> p.getHostId()).containsExactly(rescuer.id()));
        long total = 2L * RelayApp.part("lost", 0).length;
        TaskResult done = success(again, Long.toString(total), List.of()).toBuilder()
                .setTransfer(TransferStats.newBuilder().setBytesFromPeers(total)).build();
        assertThat(consumer.report(done).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        consumer.report(done); // a repeated report is not counted twice

        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        JsonNode view = api().job(job);
        assertThat(api().get("/api/v1/jobs/" + job + "/result").json().get("total").asLong()).isEqualTo(total);
        assertThat(view.get("transfer").get("bytesFromPeers").asLong()).isEqualTo(total);
        assertThat(view.get("transfer").get("bytesFromCoordinator").asLong()).isZero();
    }

    @Test
    void aWorkUnitWhoseBlobNobodyServesWaitsWhileItsProducerRunsAgain() {
        long job = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "natted"}, "redundancy": {"quorum": 1, "initialReplicas": 1}}""");
        // a producer behind NAT: it holds the part but nobody can fetch it from there
        TestHost natted = host("natted", "");
        produce(natted, awaitTasks(natted, 1).get(0));
        await().until(() -> api().job(job).get("stage").asInt() == 1);

        TestHost other = host("other", "127.0.0.1:4");
        Task task = awaitTasks(other, 1).get(0);
        assertThat(task.getStage()).as("the producer's work unit runs again before its consumer").isZero();
        produce(other, task);
        Task consumer = awaitTasks(other, 1).get(0);
        assertThat(consumer.getStage()).isEqualTo(1);
        assertThat(consumer.getInputs(0).getPeersList()).as("it holds the part itself").isEmpty();
        assertThat(holders(consumer.getInputs(0).getBlobId())).contains(other.id());
    }

    @Test
    void aHostThatHoldsAnInputAlreadyIsOfferedNoPeersForItAndLeavesNoRecordOfAnOffer() {
        long job = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "kept"}, "redundancy": {"quorum": 1, "initialReplicas": 1}}""");
        TestHost producer = host("keeper", "127.0.0.1:30");
        produce(producer, awaitTasks(producer, 1).get(0));
        await().until(() -> api().job(job).get("stage").asInt() == 1);
        String part = ContentAddress.of(RelayApp.part("kept", 0));

        // it fetched the part for an earlier task and announced it
        TestHost holder = host("hoarder", "127.0.0.1:31");
        holder.stub(true).announceBlobs(AnnounceBlobsRequest.newBuilder().addHolding(part).build());
        Task task = awaitTasks(holder, 1).get(0);

        BlobSource input = task.getInputs(0);
        assertThat(input.getBlobId()).isEqualTo(part);
        assertThat(input.getPeersList()).as("nobody to fetch from: it has the blob").isEmpty();
        assertThat(grants.check(input.getToken(), part).orElseThrow().getHostId()).isEqualTo(holder.id());
        assertThat(jdbc.sql("SELECT count(*) FROM peer_offer WHERE host_id = :h").param("h", holder.id())
                .query(Long.class).single()).as("no complaint about the producer can count from it").isZero();
        assertThat(holders(part)).containsExactlyInAnyOrder(producer.id(), holder.id());
    }

    @Test
    void inputUnavailableNamesOnlyTheTasksOwnInputsAndCostsTheReporter() {
        long job = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "wolf"}, "redundancy": {"quorum": 1, "initialReplicas": 1}}""");
        long bystanderJob = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "sheep"}, "redundancy": {"quorum": 1, "initialReplicas": 1}}""");
        TestHost producer = host("shepherd", "127.0.0.1:20");
        for (Task t : awaitTasks(producer, 2)) {
            produce(producer, t);
        }
        await().until(() -> api().job(job).get("stage").asInt() == 1 && api().job(bystanderJob).get("stage").asInt() == 1);
        String sheep = ContentAddress.of(RelayApp.part("sheep", 0));
        String wolf = ContentAddress.of(RelayApp.part("wolf", 0));

        // a host given the wolf job's reducer says the sheep job's part is nowhere to be had
        TestHost liar = host("boy", "127.0.0.1:21");
        Task reduce = awaitTasks(liar, 2).stream().filter(t -> t.getJobId() == job).findFirst().orElseThrow();
        ReportAck lie = liar.report(unavailable(reduce, sheep));
        assertThat(lie.getStatus()).isEqualTo(ReportAck.Status.REJECTED);
        assertThat(lie.getMessage()).contains(sheep + " is not an input of task " + reduce.getResultId());
        assertThat(holders(sheep)).as("the tracker forgets nothing").contains(producer.id());
        assertThat(api().job(bystanderJob).get("workUnits").get("open").asLong()).as("nothing is re-run").isEqualTo(1);
        assertThat(errors(liar)).as("the lie is the replica's error").isEqualTo(1);

        // an honest report about its own input is taken, at a cost to the reporter's standing, not the work unit's
        TestHost honest = host("villager", "127.0.0.1:22");
        Task again = awaitTasks(honest, 1).get(0); // the liar holds the sheep job's reducer
        assertThat(again.getWorkUnitId()).as("the replacement of the liar's replica").isEqualTo(reduce.getWorkUnitId());
        assertThat(honest.report(unavailable(again, wolf)).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(errors(honest)).isEqualTo(1);
        JsonNode replicas = api().get("/api/v1/jobs/" + job + "/workunits?size=10").json().get("items");
        assertThat(replicas.findValues("state")).extracting(JsonNode::asString).as("the work unit counts one error")
                .containsOnlyOnce("ERROR");
        assertThat(holders(wolf)).as("the holders it was offered are forgotten").doesNotContain(producer.id());
        assertThat(holders(sheep)).contains(producer.id());
    }

    private static TaskResult unavailable(Task t, String blob) {
        return TaskResult.newBuilder().setResultId(t.getResultId()).setFailure(Failure.newBuilder()
                .setKind(Failure.Kind.INPUT_UNAVAILABLE).setMessage("no peer answered").addMissingBlobIds(blob)).build();
    }

    private long errors(TestHost h) {
        return api().get("/api/v1/hosts/" + h.id()).json().get("errorCount").asLong();
    }

    @Test
    void aPeerIsBannedFromServingOnlyByVolunteersItWasOfferedTo() {
        // the suspect produces the parts two jobs' reducers read, so they are offered it as their peer
        long first = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "accused-1"}, "redundancy": {"quorum": 1, "initialReplicas": 2}}""");
        long second = api().submit("""
                {"app": "test-relay", "params": {"parts": 1, "salt": "accused-2"}, "redundancy": {"quorum": 1, "initialReplicas": 2}}""");
        TestHost suspect = host("suspect", "127.0.0.1:5");
        for (Task t : awaitTasks(suspect, 2)) {
            produce(suspect, t);
        }
        await().until(() -> api().job(first).get("stage").asInt() == 1 && api().job(second).get("stage").asInt() == 1);
        String blob = ContentAddress.of(RelayApp.part("accused-1", 0));

        // two hosts of one volunteer that were never sent to the suspect: the attack the issue saw
        String mallory = signUp("mallory");
        TestHost m1 = host(mallory, "mallory-1", "127.0.0.1:6");
        TestHost m2 = host(mallory, "mallory-2", "127.0.0.1:7");
        m1.stub(true).announceBlobs(complaint(suspect, blob, PeerComplaint.Kind.BAD_CHUNK));
        m2.stub(true).announceBlobs(complaint(suspect, blob, PeerComplaint.Kind.BAD_CHUNK));
        assertThat(banned(suspect)).as("hosts it was never offered to").isFalse();
        // nor hosts of two volunteers that were never sent to it
        host("stranger-1", "127.0.0.1:8").stub(true).announceBlobs(complaint(suspect, blob, PeerComplaint.Kind.BAD_CHUNK));
        host("stranger-2", "127.0.0.1:9").stub(true).announceBlobs(complaint(suspect, blob, PeerComplaint.Kind.BAD_CHUNK));
        assertThat(banned(suspect)).as("hosts it was never offered to").isFalse();

        // one volunteer's two hosts, each sent to the suspect by a task of its own, are one voice
        String ann = signUp("ann");
        TestHost a1 = host(ann, "ann-1", "127.0.0.1:10");
        TestHost a2 = host(ann, "ann-2", "127.0.0.1:11");
        for (TestHost h : List.of(a1, a2)) {
            Task reduce = awaitTasks(h, 1).get(0);
            assertThat(reduce.getInputs(0).getPeersList()).extracting(p -> p.getHostId()).contains(suspect.id());
            h.stub(true).announceBlobs(complaint(suspect, reduce.getInputs(0).getBlobId(), PeerComplaint.Kind.BAD_CHUNK));
        }
        assertThat(banned(suspect)).as("one volunteer").isFalse();

        // a second volunteer it was offered to, complaining of a kind this coordinator does not know, is not heard
        TestHost bob = host("bob", "127.0.0.1:12");
        Task reduce = awaitTasks(bob, 1).get(0);
        AnnounceBlobsRequest newer = complaint(suspect, reduce.getInputs(0).getBlobId(), PeerComplaint.Kind.BAD_CHUNK);
        newer = newer.toBuilder().setComplaints(0, newer.getComplaints(0).toBuilder().setKindValue(99)).build();
        bob.stub(true).announceBlobs(newer);
        assertThat(banned(suspect)).as("a kind the bytes do not prove").isFalse();
        // the same volunteer's complaint of a bad manifest is
        bob.stub(true).announceBlobs(complaint(suspect, reduce.getInputs(0).getBlobId(), PeerComplaint.Kind.BAD_MANIFEST));
        assertThat(banned(suspect)).isTrue();
        assertThat(holders(blob)).doesNotContain(suspect.id());
    }

    private static AnnounceBlobsRequest complaint(TestHost accused, String blob, PeerComplaint.Kind kind) {
        return AnnounceBlobsRequest.newBuilder().addComplaints(PeerComplaint.newBuilder().setHostId(accused.id())
                .setBlobId(blob).setChunk(0).setKind(kind).setReason("chunk 0 failed verification")).build();
    }

    @Test
    void peersAreSentToTheAddressAHostConnectsFromWithThePortItChose() {
        TestHost direct = new TestHost(grpcPort(), signUp("direct"));
        hosts.add(direct);
        RegisterResponse answer = direct.registerServing("direct", "203.0.113.5:7100", RelayApp.NAME);
        assertThat(answer.hasPeerAddress()).isTrue();
        assertThat(answer.getPeerAddress()).as("where it connects from, not where it said").isEqualTo("127.0.0.1:7100");
        assertThat(api().get("/api/v1/hosts/" + direct.id()).json().get("peerAddress").asString())
                .isEqualTo("127.0.0.1:7100");

        // through a trusted proxy: the address the proxy saw, read from the end of what it forwards
        assertThat(registerVia("6.6.6.6, 198.51.100.8", "forwarded", "[::1]:7101").getPeerAddress())
                .isEqualTo("198.51.100.8:7101");
        // an address in a private network the operator did not name is offered to nobody
        RegisterResponse lan = registerVia("192.168.1.5", "lan", "192.168.1.5:7102");
        assertThat(lan.getPeerAddress()).isEmpty();
        assertThat(api().get("/api/v1/hosts/" + lan.getHostId()).json().get("peerAddress").isNull()).isTrue();
    }

    /** Registers a new host through the proxy this coordinator trusts, which says the call came from {@code from}. */
    private RegisterResponse registerVia(String from, String name, String peerAddress) {
        TestHost h = new TestHost(grpcPort(), signUp(name));
        hosts.add(h);
        Metadata forwarded = new Metadata();
        forwarded.put(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER), from);
        return h.stub(false).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forwarded))
                .register(h.registration(name, RelayApp.NAME).setPeerAddress(peerAddress).build());
    }

    @Test
    void malformedAnnouncementsAreRefusedWithAReason() {
        TestHost h = host("careless", "127.0.0.1:8");
        assertThatThrownBy(() -> h.stub(true).announceBlobs(AnnounceBlobsRequest.newBuilder()
                        .addHolding("md5:abc").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("md5:abc");
                });
        TestHost unregistered = new TestHost(grpcPort(), signUp("bad-peer"));
        hosts.add(unregistered);
        assertThatThrownBy(() -> unregistered.registerServing("bad-peer", "no-port", RelayApp.NAME))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("peer_address"));
    }

    private List<Long> holders(String blob) {
        return jdbc.sql("SELECT host_id FROM blob_holder WHERE blob_id = :b AND complete").param("b", blob)
                .query(Long.class).list();
    }

    private boolean banned(TestHost h) {
        return jdbc.sql("SELECT peer_banned_at IS NOT NULL FROM host WHERE id = :id").param("id", h.id())
                .query(Boolean.class).single();
    }

    private static List<Task> awaitTasks(TestHost h, int count) {
        List<Task> tasks = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            tasks.addAll(h.requestWork(count - tasks.size()));
            return tasks.size() >= count;
        });
        return tasks;
    }

    /** Reports a stage 0 task of the relay app as a worker running it would. */
    private static ReportAck produce(TestHost h, Task t) {
        byte[] part = RelayApp.part(t.getInput().toStringUtf8(), t.getIndex());
        String id = ContentAddress.of(part);
        return h.report(success(t, id, List.of(BlobRef.newBuilder().setBlobId(id).setSize(part.length).build())));
    }

    private static TaskResult success(Task t, String output, List<BlobRef> produced) {
        byte[] bytes = output.getBytes(StandardCharsets.US_ASCII);
        return TaskResult.newBuilder().setResultId(t.getResultId()).setCpuTimeMillis(1)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(bytes))
                        .setOutputHash(ContentAddress.of(bytes)).setOutputSize(bytes.length).addAllProduced(produced))
                .build();
    }
}
