package dev.starling.worker.fault;

/**
 * Faults a worker can be told to inject, for end-to-end tests of the coordinator's defences. Never used
 * by volunteers; the command-line option that selects them is hidden. This package makes them:
 * {@link WrongOutputRunner}, {@link CorruptChunks}.
 */
public enum Fault {
    /** Reports a wrong but well-formed output (with its matching hash) for every successful task. */
    WRONG_OUTPUT("wrong-output"),
    /** Serves other workers chunks with one byte flipped, so that they fail verification. */
    CORRUPT_CHUNKS("corrupt-chunks");

    private final String option;

    Fault(String option) {
        this.option = option;
    }

    /** How the fault is named on the command line. */
    public String option() {
        return option;
    }

    public static Fault fromOption(String option) {
        for (Fault fault : values()) {
            if (fault.option.equals(option)) {
                return fault;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + option + "'; known: "
                + java.util.Arrays.stream(values()).map(Fault::option).collect(java.util.stream.Collectors.joining(", ")));
    }
}
