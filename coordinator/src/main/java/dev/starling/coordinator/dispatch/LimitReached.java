package dev.starling.coordinator.dispatch;

/**
 * Which daily limit keeps a host from work ({@link DailyLimits}): logged once a day per host, and told to its worker
 * as the {@code DAILY_LIMIT} reason of an empty RequestWork answer ({@link NoWorkReasons}).
 */
public enum LimitReached {
    HOST_DAILY_LIMIT("host-daily-limit", "the host took its daily task limit (starling.trust.daily-tasks, grown by "
            + "its valid results)"),
    VOLUNTEER_DAILY_LIMIT("volunteer-daily-limit", "the volunteer's hosts took their daily task limit together "
            + "(starling.trust.volunteer-daily-tasks, grown by their valid results)"),
    GIVE_BACK_LIMIT("give-back-limit", "the host gave back its daily limit of tasks (starling.trust.give-backs-per-day)");

    private final String code;
    private final String description;

    LimitReached(String code, String description) {
        this.code = code;
        this.description = description;
    }

    /** A stable, machine-readable code. */
    public String code() {
        return code;
    }

    /** What it means, for people. */
    public String description() {
        return description;
    }
}
