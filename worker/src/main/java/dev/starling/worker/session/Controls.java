package dev.starling.worker.session;

import dev.starling.proto.v1.HostControl;
import dev.starling.worker.control.ComputeGate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What the volunteer decided for this host on the coordinator's web pages, as the answers to RequestWork and Heartbeat
 * carry it ({@code HostControl}): a pause suspends the running tasks (they resume where they stopped) and takes no new
 * ones; the account's preferences for the host's venue go to {@code preferences} whenever they differ from the last
 * ones. A coordinator from before these controls sends none, and nothing changes.
 */
public final class Controls {
    /** Why tasks are suspended while the volunteer has paused the host, as {@code starling worker status} shows it. */
    public static final String PAUSED = "paused by you on the web (resume it there)";

    private final ComputeGate gate;
    private final BiConsumer<Map<String, String>, String> preferences;
    private Map<String, String> lastPreferences; // guarded by this
    private String lastVenue; // guarded by this

    /** @param preferences told the account's preferences (key to value) and the venue, when they change */
    public Controls(ComputeGate gate, BiConsumer<Map<String, String>, String> preferences) {
        this.gate = gate;
        this.preferences = preferences;
    }

    /** Applies what an answer carried; {@code present}: whether it carried controls at all. */
    void apply(boolean present, HostControl control) {
        if (!present) {
            return;
        }
        gate.pause(control.getPaused() ? Optional.of(PAUSED) : Optional.empty());
        Map<String, String> prefs = Map.copyOf(control.getPreferencesMap());
        synchronized (this) { // the poll and the heartbeat loops both apply: one at a time, in order
            if (!prefs.equals(lastPreferences) || !Objects.equals(control.getVenue(), lastVenue)) {
                lastPreferences = prefs;
                lastVenue = control.getVenue();
                preferences.accept(prefs, control.getVenue());
            }
        }
    }
}
