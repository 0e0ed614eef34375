package dev.starling.coordinator.host;

import java.util.List;

/**
 * What a worker says about its machine when it registers (the fields of {@code RegisterRequest}), stored in its
 * host row.
 *
 * @param protocolVersion the worker protocol it speaks
 * @param peerAddress where peers reach its PeerService ("host:port"), or null when it serves no peers
 * @param wasmMemoryMib the linear memory it gives deployed (WebAssembly) apps' tasks, in MiB; null when it runs none
 * @param network the network it registered from ({@code PeerAddresses#network}); null when none counts
 */
public record HostDescription(String name, int cores, long memoryBytes, String os, String arch,
        String workerVersion, int protocolVersion, List<String> apps, String peerAddress, Integer wasmMemoryMib,
        String network) {

    public HostDescription(String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
            int protocolVersion, List<String> apps, String peerAddress, Integer wasmMemoryMib) {
        this(name, cores, memoryBytes, os, arch, workerVersion, protocolVersion, apps, peerAddress, wasmMemoryMib, null);
    }
}
