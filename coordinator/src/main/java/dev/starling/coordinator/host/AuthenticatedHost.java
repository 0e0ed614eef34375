package dev.starling.coordinator.host;

import java.util.List;

/**
 * The host a gRPC call was authenticated as, and what decides how it is served.
 *
 * @param volunteerId the volunteer who owns it; null for an anonymous host
 * @param quarantined whether it is quarantined (fewer tasks a day; its results need a partner in good standing)
 * @param refusal why its calls are refused, as its worker is told: the admin banned it, or its volunteer; null when
 *     neither
 * @param rotateToken whether the admin asked it to replace its token (its answers say so until it uses a new one)
 * @param wasmMemoryMib the linear memory it gives deployed (WebAssembly) apps' tasks, in MiB; 0 when it runs none
 * @param network the network it registered from, whose hosts never share a work unit; null when none counts
 * @param validResults the valid results of its volunteer's hosts together (its own, for an anonymous host), when it
 *     was looked up: what decides whether it is on probation
 * @param paused whether its volunteer paused it on the web: it is sent no tasks, and told to suspend those it holds
 * @param browser whether it is a browser tab (os {@value #BROWSER}): it is given only tasks that fit a browser
 */
public record AuthenticatedHost(long id, List<String> apps, Long volunteerId, boolean quarantined, String refusal,
        boolean rotateToken, int wasmMemoryMib, String network, long validResults, boolean paused, boolean browser) {
    /** the os of a browser tab's host */
    public static final String BROWSER = "browser";

    public AuthenticatedHost(long id, List<String> apps, Long volunteerId, boolean quarantined, String refusal,
            boolean rotateToken, int wasmMemoryMib) {
        this(id, apps, volunteerId, quarantined, refusal, rotateToken, wasmMemoryMib, null, 0, false, false);
    }

    public boolean banned() {
        return refusal != null;
    }
}
