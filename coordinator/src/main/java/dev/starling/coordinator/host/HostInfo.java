package dev.starling.coordinator.host;

import java.util.List;

/** What a worker says about its machine when it registers. */
public record HostInfo(String name, int cores, long memoryBytes, String os, String arch, String workerVersion,
        List<String> apps) {}
