package dev.starling.coordinator.app;

/** A deployed app version's state, as the CHECK constraint of {@code app_version.state} has it. */
public enum VersionState {
    /** runs, and takes new jobs */
    ENABLED,
    /** its jobs run on; no new ones (the admin's, undone by enabling it again) */
    DISABLED,
    /** for good: its jobs are cancelled and workers drop its tasks at their next contact */
    REVOKED
}
