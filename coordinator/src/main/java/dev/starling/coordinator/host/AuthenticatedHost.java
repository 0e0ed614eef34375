package dev.starling.coordinator.host;

import java.util.List;

/**
 * The host a gRPC call was authenticated as, and what decides how it is served.
 *
 * @param volunteerId the volunteer who owns it; null for an anonymous host
 * @param quarantined whether it is quarantined (fewer tasks a day; its results need a partner in good standing)
 * @param banReason why the admin banned it; null when it is not banned
 * @param wasmMemoryMib the linear memory it gives deployed (WebAssembly) apps' tasks, in MiB; 0 when it runs none
 */
public record AuthenticatedHost(long id, List<String> apps, Long volunteerId, boolean quarantined, String banReason,
        int wasmMemoryMib) {

    public boolean banned() {
        return banReason != null;
    }
}
