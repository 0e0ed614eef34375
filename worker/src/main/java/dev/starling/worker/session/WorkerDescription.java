package dev.starling.worker.session;

import dev.starling.proto.v1.RegisterRequest;
import dev.starling.sdk.Apps;
import dev.starling.worker.config.WorkerConfig;
import java.lang.management.ManagementFactory;

/**
 * What the worker tells the coordinator about itself and its machine when it registers: its name, cores, memory, OS,
 * version, apps, peer address and owner. (The coordinator keeps what it is told as its {@code HostDescription}.)
 */
public final class WorkerDescription {
    private WorkerDescription() {}

    /**
     * A registration without an identity: who this machine is, what it can run, where peers reach it
     * ({@code peerAddress}, empty when it serves no peers) and whose it is (the account key, when given).
     */
    public static RegisterRequest describe(WorkerConfig config, Apps apps, String peerAddress) {
        return RegisterRequest.newBuilder()
                .setProtocolVersion(ProtocolInterceptor.PROTOCOL_VERSION)
                .setName(config.name())
                .setCores(config.cores())
                .setMemoryBytes(memoryBytes())
                .setOs(System.getProperty("os.name", "unknown"))
                .setArch(System.getProperty("os.arch", "unknown"))
                .setWorkerVersion(version())
                .addAllApps(apps.names())
                .setPeerAddress(peerAddress)
                .setAccountKey(config.accountKey().orElse(""))
                .build();
    }

    /** The version in the worker jar's manifest, or {@code dev} when running from classes. */
    public static String version() {
        String version = WorkerDescription.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }

    /** The machine's physical memory where the platform tells it, else what this JVM may use. */
    private static long memoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total;
            }
        }
        return Runtime.getRuntime().maxMemory();
    }
}
