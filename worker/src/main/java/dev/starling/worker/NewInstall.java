package dev.starling.worker;

import dev.starling.worker.session.IdentityStore;
import dev.starling.worker.support.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new install computes gently until its volunteer says otherwise: on a work dir that no worker registered from,
 * the settings of how much of the machine to use that nobody set take gentler values than the ordinary defaults
 * (half the cores, and half their time while the computer is in use). The work dir remembers it
 * ({@value #MARKER}), so that the install stays gentle after its first registration; a work dir that holds an
 * identity without it is an install from before, which keeps the ordinary defaults and so its behaviour.
 */
final class NewInstall {
    private static final Logger log = LoggerFactory.getLogger(NewInstall.class);
    /** The file in the work dir that marks an install as new: delete it to take the ordinary defaults. */
    static final String MARKER = "new-install-defaults";
    /** {@code --cores} of a new install: half the processors (at least one). */
    static final String CORES = "50%";
    /** {@code --cpu-limit} of a new install: half of its cores' time while the computer is in use. */
    static final String CPU_LIMIT = "50";
    /** {@code --cpu-limit-idle} of a new install: all of its cores' time while the computer is idle. */
    static final String CPU_LIMIT_IDLE = "100";
    /** How to give more, in the log and in {@code starling worker status}. */
    static final String HOW_TO_GIVE_MORE = "to give more, set cores and cpu-limit in the config file or on the command"
            + " line, for example cores = 100% and cpu-limit = 100";

    private NewInstall() {}

    /**
     * The gentle settings, by name, as the config file writes them. A {@code cpu-limit} someone set holds while the
     * computer is idle too, unless {@code cpu-limit-idle} is set, as on any install.
     */
    static Map<String, String> settings(boolean cpuLimitSet) {
        return cpuLimitSet ? Map.of("cores", CORES)
                : Map.of("cores", CORES, "cpu-limit", CPU_LIMIT, "cpu-limit-idle", CPU_LIMIT_IDLE);
    }

    /** Whether the worker of {@code workDir} takes the gentle settings for those nobody set. */
    static boolean applies(Path workDir) {
        return Files.exists(workDir.resolve(MARKER)) || !new IdentityStore(workDir).stored();
    }

    /** Marks the work dir, once the worker holds it, as a new install's. */
    static void remember(Path workDir) {
        Path marker = workDir.resolve(MARKER);
        if (Files.exists(marker)) {
            return;
        }
        try {
            Files.writeString(marker, """
                    # This worker started as a new install: the settings of how much of the machine it uses that
                    # you did not set take gentle values (cores %s, cpu-limit %s, cpu-limit-idle %s).
                    # Set them in the config file to give more, or delete this file for the ordinary defaults
                    # (all cores, no CPU limit). See docs/volunteer-guide.md.
                    """.formatted(CORES, CPU_LIMIT, CPU_LIMIT_IDLE));
        } catch (IOException e) {
            log.warn("Cannot write {}: {}; once registered, the worker takes the ordinary defaults", marker,
                    IoErrors.describe(e));
        }
    }
}
