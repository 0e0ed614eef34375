package dev.starling.worker.control;

import java.time.Instant;
import java.util.Optional;

/** When someone last used the machine's keyboard or mouse, where that can be read. */
public interface UserActivity {
    /** The last input seen; empty when this platform does not tell. */
    Optional<Instant> lastInput();

    UserActivity UNKNOWN = Optional::empty;
}
