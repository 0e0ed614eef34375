package dev.starling.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.starling.coordinator.CoordinatorTest;
import dev.starling.coordinator.TestHost;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.NoWork;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The worker protocol and the quorum state machine, driven step by step by simulated hosts over real
 * gRPC against a real coordinator and PostgreSQL. Each test uses its own job and its own hosts; hosts
 * here run a test-only app name (`primes` is what every job uses, so only new hosts see its work).
 */
class WorkerProtocolTest extends CoordinatorTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        configure(registry);
        registry.add("starling.workers.release", () -> "9.9.9");
        registry.add("starling.workers.download-url", () -> "https://example.org/starling");
    }

    @AfterEach
    void cancel() {
        cancelActiveJobs();
    }

    private TestHost host(String name) {
        return volunteerHost(name, "primes");
    }

    /** Submits a primes job of {@code units} work units of 1,000 numbers each and waits until it is split. */
    private long job(int units, String redundancy) {
        long id = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":" + units * 1000
                + ",\"chunkSize\":1000},\"redundancy\":" + redundancy + "}");
        await().until(() -> resultsOf(id).size() >= units);
        return id;
    }

    private long job(int units) {
        return job(units, "{\"quorum\":2,\"initialReplicas\":2}");
    }

    /** Every replica of a job, by id. */
    private Map<Long, JsonNode> resultsOf(long jobId) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode wu : api().get("/api/v1/jobs/" + jobId + "/workunits?size=500").json().get("items")) {
            wu.get("results").forEach(all::add);
        }
        return all.stream().collect(Collectors.toMap(r -> r.get("id").asLong(), Function.identity()));
    }

    private JsonNode workUnit(long jobId, int index) {
        return api().get("/api/v1/jobs/" + jobId + "/workunits?size=500").json().get("items").get(index);
    }

    private String state(long jobId, Task task) {
        return resultsOf(jobId).get(task.getResultId()).get("state").asString();
    }

    private JsonNode hostView(TestHost h) {
        for (JsonNode v : api().get("/api/v1/hosts?size=500").json().get("items")) {
            if (v.get("id").asLong() == h.id()) {
                return v;
            }
        }
        throw new AssertionError("host " + h.id() + " not listed");
    }

    @Test
    void agreeingQuorumValidatesCreditsOnceAndTheJobSucceeds() {
        TestHost a = host("a");
        TestHost b = host("b");
        long job = job(3);

        List<Task> forA = a.requestWork(10);
        List<Task> moreForA = a.requestWork(10);
        List<Task> forB = b.requestWork(10);

        assertThat(forA).hasSize(3);
        assertThat(moreForA).as("never two replicas of one work unit to one host").isEmpty();
        assertThat(forB).hasSize(3);
        assertThat(forB).extracting(Task::getWorkUnitId)
                .containsExactlyInAnyOrderElementsOf(forA.stream().map(Task::getWorkUnitId).toList());
        assertThat(api().job(job).get("state").asString()).isEqualTo("RUNNING");

        // pi(1000) = 168, pi(2000) - pi(1000) = 135, pi(3000) - pi(2000) = 127
        Map<Long, String> counts = Map.of(0L, "168", 1L, "135", 2L, "127");
        for (Task t : forA) {
            assertThat(a.succeed(t, counts.get(t.getIndex())).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        }
        for (Task t : forB) {
            assertThat(b.succeed(t, counts.get(t.getIndex())).getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        }

        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
        assertThat(api().get("/api/v1/jobs/" + job + "/result").json().get("count").asLong()).isEqualTo(430);
        assertThat(resultsOf(job).values()).allSatisfy(r -> assertThat(r.get("state").asString()).isEqualTo("VALID"));
        for (int i = 0; i < 3; i++) {
            assertThat(workUnit(job, i).get("state").asString()).isEqualTo("VALIDATED");
        }
        assertThat(hostView(a).get("validCount").asLong()).isEqualTo(3);
        assertThat(hostView(a).get("credit").asDouble()).isCloseTo(0.003, org.assertj.core.data.Offset.offset(1e-12));
        // the worker hears its credit with every heartbeat and registration, once it is folded into the host row
        await().until(() -> Math.abs(a.heartbeat().getHostCredit() - 0.003) < 1e-12);
        RegisterRequest again = RegisterRequest.newBuilder().setProtocolVersion(1).setName("a").setCores(2)
                .setMemoryBytes(1L << 30).setOs("Linux").setArch("amd64").setWorkerVersion("test").addApps("primes")
                .setHostId(a.id()).setHostToken(a.token()).build();
        assertThat(a.stub(false).register(again).getHostCredit()).isCloseTo(0.003, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void disagreementAsksForAnotherReplicaAndTheMinorityIsInvalid() {
        TestHost a = host("a");
        TestHost b = host("b");
        TestHost c = host("c");
        long job = job(1);

        Task ta = a.requestWork(1).get(0);
        Task tb = b.requestWork(1).get(0);
        a.succeed(ta, "168");
        b.succeed(tb, "999");

        assertThat(state(job, ta)).isEqualTo("INCONCLUSIVE");
        assertThat(state(job, tb)).isEqualTo("INCONCLUSIVE");
        assertThat(a.requestWork(1)).isEmpty();
        assertThat(b.requestWork(1)).isEmpty();
        Task tc = c.requestWork(1).get(0);
        c.succeed(tc, "168");

        assertThat(state(job, ta)).isEqualTo("VALID");
        assertThat(state(job, tc)).isEqualTo("VALID");
        assertThat(state(job, tb)).isEqualTo("INVALID");
        assertThat(workUnit(job, 0).get("canonicalResultId").asLong()).isEqualTo(ta.getResultId());
        assertThat(hostView(b).get("invalidCount").asLong()).isEqualTo(1);
        assertThat(hostView(b).get("credit").asDouble()).isZero();
        await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
    }

    @Test
    void repeatedReportsChangeNothing() {
        TestHost a = host("a");
        TestHost b = host("b");
        long job = job(1);
        Task ta = a.requestWork(1).get(0);
        Task tb = b.requestWork(1).get(0);

        a.succeed(ta, "168");
        ReportAck again = a.succeed(ta, "168");
        b.succeed(tb, "168");
        ReportAck afterValidation = b.succeed(tb, "168");

        assertThat(again.getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(again.getMessage()).contains("already reported");
        assertThat(afterValidation.getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(hostView(a).get("validCount").asLong()).isEqualTo(1);
        assertThat(hostView(b).get("validCount").asLong()).isEqualTo(1);
        assertThat(resultsOf(job).values()).allSatisfy(r -> assertThat(r.get("credit").asDouble()).isEqualTo(0.001));
    }

    @Test
    void aHostCannotReportAnotherHostsTask() {
        TestHost a = host("a");
        TestHost b = host("b");
        long job = job(1);
        Task ta = a.requestWork(1).get(0);

        ReportAck ack = b.succeed(ta, "168");

        assertThat(ack.getStatus()).isEqualTo(ReportAck.Status.REJECTED);
        assertThat(ack.getMessage()).contains("not a task of this host");
        assertThat(state(job, ta)).isEqualTo("IN_PROGRESS");
    }

    @Test
    void aMalformedOutputIsRejectedAndCountsAsAnError() {
        TestHost a = host("a");
        long job = job(1);
        Task ta = a.requestWork(1).get(0);

        ReportAck ack = a.report(dev.starling.proto.v1.TaskResult.newBuilder().setResultId(ta.getResultId())
                .setSuccess(dev.starling.proto.v1.Success.newBuilder()
                        .setOutput(com.google.protobuf.ByteString.copyFromUtf8("168"))
                        .setOutputHash("sha256:0000").setOutputSize(3)).build());

        assertThat(ack.getStatus()).isEqualTo(ReportAck.Status.REJECTED);
        assertThat(ack.getMessage()).contains("does not match");
        assertThat(state(job, ta)).isEqualTo("ERROR");
        assertThat(resultsOf(job).values()).filteredOn(r -> r.get("state").asString().equals("UNSENT")).isNotEmpty();
    }

    @Test
    void errorsUpToMaxErrorsFailTheWorkUnitAndTheJob() {
        TestHost a = host("a");
        TestHost b = host("b");
        long job = job(2, "{\"quorum\":1,\"initialReplicas\":1,\"maxErrors\":2}");

        Task first = a.requestWork(1).get(0);
        a.fail(first, Failure.Kind.COMPUTE_ERROR, "out of cheese");
        Task replacement = b.requestWork(2).stream()
                .filter(t -> t.getWorkUnitId() == first.getWorkUnitId()).findFirst().orElseThrow();
        b.fail(replacement, Failure.Kind.COMPUTE_ERROR, "out of cheese again");

        JsonNode failed = api().job(job);
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("error").asString()).contains("out of cheese again").contains("maxErrors 2");
        assertThat(hostView(a).get("errorCount").asLong()).isEqualTo(1);
        assertThat(resultsOf(job).values()).noneMatch(r -> r.get("state").asString().matches("UNSENT|IN_PROGRESS"));
    }

    @Test
    void aTaskAStoppingWorkerParksIsHeldForItUntilItsDeadlineWhileOthersTimeOut() {
        TestHost a = host("parker");
        long job = job(2, "{\"quorum\":1}");
        List<Task> tasks = a.requestWork(2);
        Task parked = tasks.get(0);
        Task leased = tasks.get(1);

        HeartbeatResponse beat = a.stub(true).heartbeat(HeartbeatRequest.newBuilder()
                .addTasks(TaskProgress.newBuilder().setResultId(parked.getResultId()).setFractionDone(0.4).setParked(true))
                .addTasks(TaskProgress.newBuilder().setResultId(leased.getResultId()).setFractionDone(0.1)).build());

        assertThat(beat.getLeasesList()).filteredOn(l -> l.getResultId() == parked.getResultId()).singleElement()
                .satisfies(l -> assertThat(l.getLeaseExpiresEpochMillis()).isEqualTo(parked.getDeadlineEpochMillis()));
        clock.advance(Duration.ofSeconds(61));
        await().until(() -> state(job, leased).equals("TIMED_OUT"));
        assertThat(state(job, parked)).isEqualTo("IN_PROGRESS");
        assertThat(resultsOf(job).get(parked.getResultId()).get("suspended").asBoolean()).as("shown as paused").isTrue();
        assertThat(a.heartbeat(parked).getAbandonResultIdsList()).as("the worker, back, goes on with it").isEmpty();
    }

    @Test
    void anExpiredLeaseTimesOutAndIsReissuedAndALateReportStillCounts() {
        TestHost a = host("a");
        TestHost b = host("b");
        TestHost c = host("c");
        long job = job(1, "{\"quorum\":2,\"initialReplicas\":2,\"maxErrors\":3}");
        Task ta = a.requestWork(1).get(0);
        Task tb = b.requestWork(1).get(0);
        b.succeed(tb, "168");

        clock.advance(Duration.ofSeconds(61));
        await().until(() -> state(job, ta).equals("TIMED_OUT"));

        assertThat(hostView(a).get("timedOutCount").asLong()).isEqualTo(1);
        assertThat(a.heartbeat(ta).getAbandonResultIdsList()).as("a late report can still help").isEmpty();
        Task tc = c.requestWork(1).get(0);
        assertThat(tc.getWorkUnitId()).isEqualTo(ta.getWorkUnitId());
        assertThat(a.succeed(ta, "168").getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);

        assertThat(state(job, ta)).isEqualTo("VALID");
        assertThat(state(job, tc)).isEqualTo("CANCELLED");
        assertThat(c.heartbeat(tc).getAbandonResultIdsList()).containsExactly(tc.getResultId());
        assertThat(c.succeed(tc, "168").getStatus()).isEqualTo(ReportAck.Status.NOT_NEEDED);
    }

    @Test
    void aReportArrivingAfterValidationIsJudgedAgainstTheCanonicalOutput() {
        TestHost late = host("late");
        TestHost wrong = host("wrong");
        TestHost b = host("b");
        TestHost c = host("c");
        long job = job(1, "{\"quorum\":2,\"initialReplicas\":2,\"maxErrors\":3}");
        Task tLate = late.requestWork(1).get(0);
        Task tWrong = wrong.requestWork(1).get(0);
        clock.advance(Duration.ofSeconds(61));
        await().until(() -> state(job, tLate).equals("TIMED_OUT") && state(job, tWrong).equals("TIMED_OUT"));
        b.succeed(b.requestWork(1).get(0), "168");
        c.succeed(c.requestWork(1).get(0), "168");
        assertThat(workUnit(job, 0).get("state").asString()).isEqualTo("VALIDATED");

        assertThat(late.succeed(tLate, "168").getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);
        assertThat(wrong.succeed(tWrong, "999").getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);

        assertThat(state(job, tLate)).isEqualTo("VALID");
        assertThat(hostView(late).get("credit").asDouble()).isEqualTo(0.001);
        assertThat(state(job, tWrong)).isEqualTo("INVALID");
        assertThat(hostView(wrong).get("invalidCount").asLong()).isEqualTo(1);
    }

    @Test
    void heartbeatsExtendLeasesAndCancellationAbandonsTasks() {
        TestHost a = host("a");
        long job = job(1);
        Task ta = a.requestWork(1).get(0);

        clock.advance(Duration.ofSeconds(30));
        var beat = a.heartbeat(ta);
        assertThat(beat.getLeasesList()).singleElement().satisfies(l -> assertThat(l.getLeaseExpiresEpochMillis())
                .isEqualTo(clock.instant().plusSeconds(60).toEpochMilli()));
        clock.advance(Duration.ofSeconds(45)); // past the first lease, within the extended one
        assertThat(state(job, ta)).isEqualTo("IN_PROGRESS");
        assertThat(resultsOf(job).get(ta.getResultId()).get("progress").asDouble()).as("as the heartbeat said")
                .isEqualTo(0.5);
        assertThat(resultsOf(job).get(ta.getResultId()).has("suspended")).isFalse();
        a.stub(true).heartbeat(HeartbeatRequest.newBuilder().addTasks(TaskProgress.newBuilder()
                .setResultId(ta.getResultId()).setFractionDone(0.6).setSuspended(true)).build());
        assertThat(resultsOf(job).get(ta.getResultId()).get("suspended").asBoolean()).as("paused, not lost").isTrue();
        assertThat(resultsOf(job).get(ta.getResultId()).get("progress").asDouble()).isEqualTo(0.6);

        api().postRaw("/api/v1/jobs/" + job + "/cancel", null, null);

        assertThat(a.heartbeat(ta).getAbandonResultIdsList()).containsExactly(ta.getResultId());
        assertThat(a.succeed(ta, "168").getStatus()).isEqualTo(ReportAck.Status.NOT_NEEDED);
        assertThat(state(job, ta)).isEqualTo("CANCELLED");
    }

    @Test
    void aTaskGivenBackIsReissuedWithoutCountingAgainstTheHost() {
        TestHost a = host("a");
        long job = job(1);
        Task ta = a.requestWork(1).get(0);

        assertThat(a.fail(ta, Failure.Kind.GIVEN_BACK, "shutting down").getStatus()).isEqualTo(ReportAck.Status.ACCEPTED);

        assertThat(state(job, ta)).isEqualTo("UNSENT");
        assertThat(hostView(a).get("errorCount").asLong()).isZero();
        assertThat(a.requestWork(2)).extracting(Task::getWorkUnitId).contains(ta.getWorkUnitId());
    }

    @Test
    void higherPriorityDispatchesFirst() {
        TestHost a = host("a");
        long low = job(1);
        long high = api().submit("{\"app\":\"primes\",\"params\":{\"from\":0,\"to\":1000,\"chunkSize\":1000},\"priority\":10}");
        await().until(() -> !resultsOf(high).isEmpty());

        assertThat(a.requestWork(1).get(0).getJobId()).isEqualTo(high);
        assertThat(a.requestWork(1).get(0).getJobId()).isEqualTo(low);
    }

    @Test
    void aReturningWorkerKeepsItsIdentityAndABadTokenGetsANewOne() {
        TestHost a = host("a");
        long id = a.id();
        String token = a.token();

        var again = a.stub(false).register(RegisterRequest.newBuilder().setProtocolVersion(1).setName("a2").setCores(4)
                .addApps("primes").setHostId(id).setHostToken(token).build());
        var forged = a.stub(false).register(RegisterRequest.newBuilder().setProtocolVersion(1).setName("x").setCores(1)
                .addApps("primes").setHostId(id).setHostToken(id + ".forged").setAccountKey(signUp("x")).build());

        assertThat(again.getHostId()).isEqualTo(id);
        assertThat(again.getHostToken()).isEqualTo(token);
        assertThat(hostView(a).get("name").asString()).isEqualTo("a2");
        assertThat(forged.getHostId()).isNotEqualTo(id);
    }

    @Test
    void protocolAndAuthenticationFailuresAreClearStatuses() {
        TestHost a = host("a");

        assertThatThrownBy(() -> a.rawStub().requestWork(RequestWorkRequest.newBuilder().setMaxTasks(1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("sent none", "please update the worker");
                });
        TestHost stranger = closedAfterTest(new TestHost(grpcPort(), ""));
        assertThatThrownBy(() -> stranger.requestWork(1))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> a.stub(false).register(RegisterRequest.newBuilder().setProtocolVersion(1)
                .setName("n").setCores(1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("apps");
                });
    }

    @Test
    void workersOutsideTheProtocolsTakenAreToldWhatToInstallAndOldOnesAreMarked() {
        TestHost a = host("versions");
        for (String[] sent : new String[][] {{"0", "this coordinator speaks Starling worker protocol 1 and this worker"
                + " speaks 0: please update the worker: install Starling worker 9.9.9 (this coordinator's release) or"
                + " later from https://example.org/starling"},
                {"2", "this worker speaks Starling worker protocol 2, newer than this coordinator's 1: install"
                        + " Starling worker 9.9.9 (this coordinator's release) from https://example.org/starling, or ask"
                        + " the project to update its coordinator"}}) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER), sent[0]);
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + a.token());
            assertThatThrownBy(() -> a.rawStub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .requestWork(RequestWorkRequest.newBuilder().setMaxTasks(1).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).isEqualTo(sent[1]);
                    });
        }
        assertThatThrownBy(() -> a.stub(false).register(a.registration("body").setProtocolVersion(0).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .contains("this worker speaks 0", "install Starling worker 9.9.9"));

        // taken, but older than the coordinator's release: told what to install, and marked for the admin
        RegisterResponse old = a.stub(false).register(a.registration("old").setWorkerVersion("9.9.8").build());
        assertThat(old.getUpdateNotice()).contains("this one is 9.9.8 (protocol 1)", "install Starling worker 9.9.9");
        JsonNode oldView = api().get("/api/v1/hosts/" + old.getHostId()).json();
        assertThat(oldView.get("protocolVersion").asInt()).isEqualTo(1);
        assertThat(oldView.get("outdated").asBoolean()).isTrue();
        RegisterResponse current = a.stub(false).register(a.registration("current").setWorkerVersion("9.9.9").build());
        assertThat(current.getUpdateNotice()).isEmpty();
        assertThat(api().get("/api/v1/hosts/" + current.getHostId()).json().get("outdated").asBoolean()).isFalse();
    }

    /**
     * A worker whose version names no release (a development build, or any text) cannot be shown to be as new as the
     * release the operator asks for: it counts as older, so it is told to update, marked, and told WORKER_TOO_OLD when
     * what is queued is for an app it lacks.
     */
    @Test
    void aWorkerWhoseVersionNamesNoReleaseCountsAsOld() {
        TestHost dev = closedAfterTest(new TestHost(grpcPort(), signUp("dev-build")));
        RegisterResponse registered = dev.register(dev.registration("dev-build", "wordcount").setWorkerVersion("dev")
                .build());
        assertThat(registered.getUpdateNotice()).startsWith("this worker's version names no release")
                .contains("it is dev (protocol 1)", "install Starling worker 9.9.9");
        assertThat(api().get("/api/v1/hosts/" + registered.getHostId()).json().get("outdated").asBoolean()).isTrue();

        job(1);
        RequestWorkResponse answer = dev.poll(1);

        assertThat(answer.getTasksList()).isEmpty();
        assertThat(answer.getNoWork().getReason()).isEqualTo(NoWork.Reason.WORKER_TOO_OLD);
        assertThat(answer.getNoWork().getMessage()).contains("for primes", "install Starling worker 9.9.9");
    }

    @Test
    void aWorkerBuiltFromThePreviousProtocolWorksWithThisCoordinator() throws InterruptedException {
        long job = job(1, "{\"quorum\":1,\"initialReplicas\":1}");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext().build();
        try {
            Metadata protocol = new Metadata();
            protocol.put(Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER), "1");
            var anonymous = dev.starling.proto.v1.previous.WorkerServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(protocol))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            var registered = anonymous.register(dev.starling.proto.v1.previous.RegisterRequest.newBuilder()
                    .setProtocolVersion(1).setName("previous").setCores(1).setMemoryBytes(1L << 30).setOs("Linux")
                    .setArch("amd64").setWorkerVersion("0.0.9").addApps("primes").setPeerAddress("203.0.113.9:7200")
                    .setAccountKey(signUp("previous")).build());
            assertThat(registered.getHostId()).isPositive();
            assertThat(registered.getGrantPublicKey().isEmpty()).isFalse();
            assertThat(registered.getUnknownFields().hasField(7)).as("peer_address: new, and harmless").isTrue();
            assertThat(registered.getUnknownFields().hasField(8)).as("update_notice, for this old release").isTrue();

            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                    "Bearer " + registered.getHostToken());
            var host = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
            api().postRaw("/api/v1/admin/hosts/" + registered.getHostId() + "/rotate-token", null, null);
            List<dev.starling.proto.v1.previous.Task> tasks = new ArrayList<>();
            await().until(() -> {
                var answer = host.requestWork(dev.starling.proto.v1.previous.RequestWorkRequest.newBuilder()
                        .setMaxTasks(1).build());
                assertThat(answer.getUnknownFields().hasField(3)).as("rotate_token, which it cannot follow").isTrue();
                tasks.addAll(answer.getTasksList());
                return !tasks.isEmpty();
            });
            var task = tasks.get(0);
            host.heartbeat(dev.starling.proto.v1.previous.HeartbeatRequest.newBuilder().addTasks(
                    dev.starling.proto.v1.previous.TaskProgress.newBuilder().setResultId(task.getResultId())
                            .setFractionDone(0.5)).build());
            byte[] output = "168".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            var acks = host.reportResults(dev.starling.proto.v1.previous.ReportResultsRequest.newBuilder()
                    .addResults(dev.starling.proto.v1.previous.TaskResult.newBuilder().setResultId(task.getResultId())
                            .setSuccess(dev.starling.proto.v1.previous.Success.newBuilder()
                                    .setOutput(com.google.protobuf.ByteString.copyFrom(output))
                                    .setOutputHash(dev.starling.sdk.ContentAddress.of(output))
                                    .setOutputSize(output.length)))
                    .build());
            assertThat(acks.getAcks(0).getStatus()).isEqualTo(dev.starling.proto.v1.previous.ReportAck.Status.ACCEPTED);
            // a complaint without a kind is taken (as a bad chunk) and fails nothing
            host.announceBlobs(dev.starling.proto.v1.previous.AnnounceBlobsRequest.newBuilder()
                    .addComplaints(dev.starling.proto.v1.previous.PeerComplaint.newBuilder().setHostId(1)
                            .setBlobId("sha256:" + "ab".repeat(32)).setChunk(0).setReason("bad")).build());
            await().until(() -> api().job(job).get("state").asString().equals("SUCCEEDED"));
            assertThat(api().get("/api/v1/hosts/" + registered.getHostId()).json().get("peerAddress").asString())
                    .as("its address as seen, its port").isEqualTo("127.0.0.1:7200");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
