package dev.starling.coordinator.dispatch;

/**
 * Why a host that asked for work is given none although there may be some: the one place for these codes (a
 * RequestWork answer is to carry them; until then they are logged, once a day per host).
 */
public enum NoWork {
    HOST_DAILY_LIMIT("host-daily-limit", "the host took its daily task limit (starling.trust.daily-tasks, grown by "
            + "its valid results)"),
    VOLUNTEER_DAILY_LIMIT("volunteer-daily-limit", "the volunteer's hosts took their daily task limit together "
            + "(starling.trust.volunteer-daily-tasks, grown by their valid results)"),
    GIVE_BACK_LIMIT("give-back-limit", "the host gave back its daily limit of tasks (starling.trust.give-backs-per-day)");

    private final String code;
    private final String description;

    NoWork(String code, String description) {
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
