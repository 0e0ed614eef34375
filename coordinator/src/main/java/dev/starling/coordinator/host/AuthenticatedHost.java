package dev.starling.coordinator.host;

import java.util.List;

/**
 * The host a gRPC call was authenticated as, and the apps it can run.
 *
 * @param volunteerId the volunteer who owns it; null for an anonymous host
 */
public record AuthenticatedHost(long id, List<String> apps, Long volunteerId) {}
