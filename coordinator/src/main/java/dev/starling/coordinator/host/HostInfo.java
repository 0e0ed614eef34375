package dev.starling.coordinator.host;

import java.util.List;

/**
 * What a worker says about its machine when it registers.
 *
 * @param peerAddress where its PeerService listens ("host:port"), or null when it serves no peers
 */
public record HostInfo(String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
        List<String> apps, String peerAddress) {}
