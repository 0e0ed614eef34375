package dev.starling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.previous.AnnounceBlobsRequest;
import dev.starling.proto.v1.previous.AnnounceBlobsResponse;
import dev.starling.proto.v1.previous.HeartbeatRequest;
import dev.starling.proto.v1.previous.HeartbeatResponse;
import dev.starling.proto.v1.previous.RegisterRequest;
import dev.starling.proto.v1.previous.RegisterResponse;
import dev.starling.proto.v1.previous.ReportAck;
import dev.starling.proto.v1.previous.ReportResultsRequest;
import dev.starling.proto.v1.previous.ReportResultsResponse;
import dev.starling.proto.v1.previous.RequestWorkRequest;
import dev.starling.proto.v1.previous.RequestWorkResponse;
import dev.starling.proto.v1.previous.Task;
import dev.starling.proto.v1.previous.TaskResult;
import dev.starling.proto.v1.previous.WorkerServiceGrpc;
import dev.starling.worker.config.HostPort;
import dev.starling.worker.testing.TestApp;
import dev.starling.worker.testing.WorkerHarness;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Today's worker against a coordinator that answers the previous protocol's messages (proto/src/test/protobuf): the
 * fields added since are absent from every answer, and the worker must read that as before they existed.
 */
class PreviousCoordinatorTest {
    @TempDir
    Path workDir;

    @Test
    void todaysWorkerWorksForACoordinatorOfThePreviousProtocol() throws Exception {
        try (PreviousCoordinator coordinator = new PreviousCoordinator();
                WorkerHarness worker = WorkerHarness.builder(coordinator.address(), workDir).start()) {
            coordinator.tasks.add(task(1, "echo:forty-two"));
            coordinator.tasks.add(task(2, "echo:again"));

            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.reported.containsKey(1L));

            assertThat(coordinator.reported.get(1L).getSuccess().getOutput().toStringUtf8()).isEqualTo("forty-two");
            assertThat(coordinator.registrations).as("registered once, never again").singleElement()
                    .satisfies(r -> assertThat(r.getProtocolVersion()).isEqualTo(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.reported.containsKey(2L));
            assertThat(worker.ended()).as("still working").isNotDone();
            assertThat(worker.worker().status().update()).as("no notice means nothing to install").isEmpty();
            assertThat(worker.worker().status().hostId()).isEqualTo(7);
            assertThat(worker.worker().status().failure()).isEmpty();
        }
    }

    private static Task task(long resultId, String input) {
        return Task.newBuilder().setResultId(resultId).setWorkUnitId(100 + resultId).setJobId(3).setApp(TestApp.NAME)
                .setIndex(resultId).setInput(ByteString.copyFromUtf8(input))
                .setDeadlineEpochMillis(System.currentTimeMillis() + 3_600_000)
                .setLeaseExpiresEpochMillis(System.currentTimeMillis() + 600_000).build();
    }

    /** A coordinator of the previous protocol: one host, the tasks a test queues, every result accepted. */
    private static final class PreviousCoordinator extends WorkerServiceGrpc.WorkerServiceImplBase
            implements AutoCloseable {
        final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
        final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();
        final Map<Long, TaskResult> reported = new ConcurrentHashMap<>();
        private final Server server;

        PreviousCoordinator() throws IOException {
            server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .addService(this).build().start();
        }

        HostPort address() {
            return new HostPort(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort());
        }

        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterResponse> answer) {
            registrations.add(request);
            answer.onNext(RegisterResponse.newBuilder().setHostId(7).setHostToken("7.secret")
                    .setHeartbeatIntervalMillis(50).setMaxWaitMillis(100).build());
            answer.onCompleted();
        }

        @Override
        public void requestWork(RequestWorkRequest request, StreamObserver<RequestWorkResponse> answer) {
            RequestWorkResponse.Builder b = RequestWorkResponse.newBuilder();
            Task t = tasks.poll();
            if (t == null) {
                sleep(Math.min(100, request.getWaitMillis()));
            } else {
                b.addTasks(t);
            }
            answer.onNext(b.build());
            answer.onCompleted();
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> answer) {
            answer.onNext(HeartbeatResponse.getDefaultInstance());
            answer.onCompleted();
        }

        @Override
        public void reportResults(ReportResultsRequest request, StreamObserver<ReportResultsResponse> answer) {
            ReportResultsResponse.Builder b = ReportResultsResponse.newBuilder();
            for (TaskResult r : request.getResultsList()) {
                reported.put(r.getResultId(), r);
                b.addAcks(ReportAck.newBuilder().setResultId(r.getResultId()).setStatus(ReportAck.Status.ACCEPTED));
            }
            answer.onNext(b.build());
            answer.onCompleted();
        }

        @Override
        public void announceBlobs(AnnounceBlobsRequest request, StreamObserver<AnnounceBlobsResponse> answer) {
            answer.onNext(AnnounceBlobsResponse.getDefaultInstance());
            answer.onCompleted();
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
