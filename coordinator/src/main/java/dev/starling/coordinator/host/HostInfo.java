package dev.starling.coordinator.host;

import java.util.List;

/**
 * What a worker says about its machine when it registers.
 *
 * @param protocolVersion the worker protocol it speaks
 * @param peerAddress where peers reach its PeerService ("host:port"), or null when it serves no peers
 */
public record HostInfo(String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
        int protocolVersion, List<String> apps, String peerAddress) {}
