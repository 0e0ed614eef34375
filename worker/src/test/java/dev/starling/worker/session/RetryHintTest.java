package dev.starling.worker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.worker.config.Tuning;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A busy coordinator answers UNAVAILABLE with when to come back ({@code grpc-retry-pushback-ms}); the worker keeps to
 * it, spread: the hint plus a random part as long again, so that workers turned away together come back apart. Over a
 * real gRPC socket.
 */
class RetryHintTest {
    private Server server;
    private ManagedChannel channel;
    private volatile String hint;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new WorkerServiceGrpc.WorkerServiceImplBase() {
                    @Override
                    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
                        Metadata trailers = new Metadata();
                        if (hint != null) {
                            trailers.put(CoordinatorClient.PUSHBACK, hint);
                        }
                        response.onError(Status.UNAVAILABLE.withDescription("the coordinator is busy")
                                .asRuntimeException(trailers));
                    }
                })
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aBusyCoordinatorsHintIsKeptToSpreadOverTwiceItsLength() {
        CoordinatorClient client = new CoordinatorClient(channel, Tuning.defaults());
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), RandomGenerator.of("L64X128MixRandom"),
                client::quietFor);
        assertThat(backoff.next()).as("no hint yet: the backoff alone").isLessThanOrEqualTo(Duration.ofMillis(250));
        hint = "60000";

        assertThatThrownBy(() -> client.register(RegisterRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

        // 60 s plus up to 60 s more; a few seconds of this test may have passed
        assertThat(client.quietFor()).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(120));
        backoff.reset();
        assertThat(backoff.next()).isGreaterThanOrEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void anUnavailableAnswerWithoutAHintLeavesTheBackoffAlone() {
        CoordinatorClient client = new CoordinatorClient(channel, Tuning.defaults());
        hint = null;

        assertThatThrownBy(() -> client.register(RegisterRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class);

        assertThat(client.quietFor()).isZero();
    }
}
