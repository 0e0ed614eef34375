package dev.starling.coordinator;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportAck;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.RotateTokenRequest;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmCapability;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.proto.v1.WorkerServiceGrpc;
import dev.starling.sdk.ContentAddress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simulated worker host speaking the real protocol over a real socket, step by step, so tests decide
 * exactly what each host reports and when.
 */
public final class TestHost implements AutoCloseable {
    static final Metadata.Key<String> PROTOCOL = Metadata.Key.of("starling-protocol", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final String accountKey;
    private long hostId;
    private String token;

    /**
     * A host of the volunteer whose account key this is (empty: an anonymous host), connecting from 127.0.0.1: the
     * address the coordinator offers to peers with the port of its peer address.
     */
    public TestHost(int port, String accountKey) {
        this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), accountKey);
    }

    /** A host speaking over {@code channel} (for example TLS), which it closes. */
    public TestHost(ManagedChannel channel, String accountKey) {
        this.channel = channel;
        this.accountKey = accountKey;
    }

    public static TestHost registered(int port, String accountKey, String name, String... apps) {
        TestHost host = new TestHost(port, accountKey);
        host.register(name, apps);
        return host;
    }

    public RegisterResponse register(String name, String... apps) {
        return registerServing(name, "", apps);
    }

    /** Registers a host whose PeerService is said to listen at {@code peerAddress} (empty: serves no peers). */
    public RegisterResponse registerServing(String name, String peerAddress, String... apps) {
        return register(registration(name, apps).setPeerAddress(peerAddress).build());
    }

    /** Registers as {@code request} says (for example another worker version), and goes on as that host. */
    public RegisterResponse register(RegisterRequest request) {
        RegisterResponse r = stub(false).register(request);
        hostId = r.getHostId();
        token = r.getHostToken();
        return r;
    }

    /** Registers a host that runs deployed (WebAssembly) apps with {@code memoryMib}, and the built-in {@code apps}. */
    public RegisterResponse registerWasm(String name, int memoryMib, String... apps) {
        RegisterRequest.Builder b = registration(name, apps).setWasm(WasmCapability.newBuilder().setMemoryMib(memoryMib));
        if (apps.length == 0) {
            b.clearApps();
        }
        RegisterResponse r = stub(false).register(b.build());
        hostId = r.getHostId();
        token = r.getHostToken();
        return r;
    }

    /** Reports a deployed app's task as done: its output envelope with this standard output and these files. */
    public ReportAck succeedWasm(Task task, String stdout, WasmOutputFile... files) {
        byte[] bytes = WasmOutput.newBuilder().setStdout(ByteString.copyFromUtf8(stdout)).addAllFiles(List.of(files))
                .build().toByteArray();
        return succeedBytes(task, bytes);
    }

    /** Reports a task as done with these output bytes. */
    public ReportAck succeedBytes(Task task, byte[] bytes) {
        return report(TaskResult.newBuilder().setResultId(task.getResultId()).setCpuTimeMillis(5)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(bytes))
                        .setOutputHash(ContentAddress.of(bytes)).setOutputSize(bytes.length)).build());
    }

    /** A registration of this host as a new one, with its account key ({@code primes} when no app is named). */
    public RegisterRequest.Builder registration(String name, String... apps) {
        return RegisterRequest.newBuilder()
                .setProtocolVersion(1).setName(name).setCores(2).setMemoryBytes(1L << 30).setOs("Linux")
                .setArch("amd64").setWorkerVersion("test").addAllApps(List.of(apps.length == 0 ? new String[] {"primes"} : apps))
                .setAccountKey(accountKey);
    }

    public long id() {
        return hostId;
    }

    public String token() {
        return token;
    }

    public List<Task> requestWork(int max) {
        return poll(max).getTasksList();
    }

    /** Every task it can get now: RequestWork for 64 until an answer is empty. */
    public List<Task> drain() {
        List<Task> all = new ArrayList<>();
        for (List<Task> got = requestWork(64); !got.isEmpty(); got = requestWork(64)) {
            all.addAll(got);
        }
        return all;
    }

    /** RequestWork's whole answer (without waiting for work). */
    public RequestWorkResponse poll(int max) {
        return stub(true).requestWork(RequestWorkRequest.newBuilder().setMaxTasks(max).setWaitMillis(0).build());
    }

    /** Calls RotateToken and goes on with the new token, as a worker does once it stored it; returns the old one. */
    public String rotateToken() {
        String old = token;
        token = stub(true).rotateToken(RotateTokenRequest.getDefaultInstance()).getHostToken();
        return old;
    }

    public ReportAck succeed(Task task, String output) {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        return report(TaskResult.newBuilder().setResultId(task.getResultId()).setCpuTimeMillis(5)
                .setSuccess(Success.newBuilder().setOutput(ByteString.copyFrom(bytes))
                        .setOutputHash(ContentAddress.of(bytes)).setOutputSize(bytes.length)).build());
    }

    public ReportAck fail(Task task, Failure.Kind kind, String message) {
        return report(TaskResult.newBuilder().setResultId(task.getResultId())
                .setFailure(Failure.newBuilder().setKind(kind).setMessage(message)).build());
    }

    public ReportAck report(TaskResult result) {
        return stub(true).reportResults(ReportResultsRequest.newBuilder().addResults(result).build()).getAcks(0);
    }

    public HeartbeatResponse heartbeat(Task... tasks) {
        HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder();
        for (Task t : tasks) {
            b.addTasks(TaskProgress.newBuilder().setResultId(t.getResultId()).setFractionDone(0.5));
        }
        return stub(true).heartbeat(b.build());
    }

    /** A stub with the protocol header, and the token when {@code authenticated}. */
    public WorkerServiceGrpc.WorkerServiceBlockingStub stub(boolean authenticated) {
        return stubAs(authenticated ? token : null);
    }

    /** A stub with the protocol header and {@code hostToken} (none when null), whatever this host's own token is. */
    public WorkerServiceGrpc.WorkerServiceBlockingStub stubAs(String hostToken) {
        Metadata headers = new Metadata();
        headers.put(PROTOCOL, "1");
        if (hostToken != null) {
            headers.put(AUTHORIZATION, "Bearer " + hostToken);
        }
        return rawStub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public WorkerServiceGrpc.WorkerServiceBlockingStub rawStub() {
        return WorkerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
