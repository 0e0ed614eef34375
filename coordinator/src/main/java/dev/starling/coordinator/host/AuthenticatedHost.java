package dev.starling.coordinator.host;

import java.util.List;

/** The host a gRPC call was authenticated as, and the apps it can run. */
public record AuthenticatedHost(long id, List<String> apps) {}
