package dev.starling.worker.session;

import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.WasmCapability;
import dev.starling.sdk.Apps;
import dev.starling.worker.config.Defaults;
import dev.starling.worker.config.WorkerConfig;

/**
 * What the worker tells the coordinator about itself and its machine when it registers: its name, cores, memory, OS,
 * version, apps, the memory it gives WebAssembly, peer address and owner. (The coordinator keeps what it is told as
 * its {@code HostDescription}.)
 */
public final class WorkerDescription {
    private WorkerDescription() {}

    /**
     * A registration without an identity: who this machine is, what it can run, where peers reach it
     * ({@code peerAddress}, empty when it serves no peers) and whose it is (the account key, when given).
     */
    public static RegisterRequest describe(WorkerConfig config, Apps apps, String peerAddress) {
        RegisterRequest.Builder request = RegisterRequest.newBuilder()
                .setProtocolVersion(ProtocolInterceptor.PROTOCOL_VERSION)
                .setName(config.name())
                .setCores(config.cores())
                .setMemoryBytes(memoryBytes())
                .setOs(System.getProperty("os.name", "unknown"))
                .setArch(System.getProperty("os.arch", "unknown"))
                .setWorkerVersion(version())
                .addAllApps(apps.names())
                .setPeerAddress(peerAddress)
                .setAccountKey(config.accountKey().orElse(""));
        if (config.wasmMemoryMiB() > 0) {
            request.setWasm(WasmCapability.newBuilder().setMemoryMib(config.wasmMemoryMiB()));
        }
        return request.build();
    }

    /** The version in the worker jar's manifest, or {@code dev} when running from classes. */
    public static String version() {
        String version = WorkerDescription.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }

    /** The machine's physical memory where the platform tells it, else what this JVM may use. */
    private static long memoryBytes() {
        long total = Defaults.physicalMemoryBytes();
        return total > 0 ? total : Runtime.getRuntime().maxMemory();
    }
}
