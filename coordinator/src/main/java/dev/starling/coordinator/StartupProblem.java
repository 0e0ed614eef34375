package dev.starling.coordinator;

/**
 * A coordinator cannot start because of how it was set up (a setting, the data dir): the operator's to fix.
 * Reported as one line saying what is wrong and what to do ({@link StartupFailureReport}), without a stack trace.
 */
public class StartupProblem extends RuntimeException {
    private final String action;

    /**
     * @param problem what is wrong, as a sentence
     * @param action what the operator should do about it, as a sentence
     */
    public StartupProblem(String problem, String action) {
        super(problem);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
