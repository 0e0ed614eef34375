package dev.starling.swarm.internal;

/**
 * What one simulated host counts over the whole run. Written only by its host's thread; read after that thread
 * ended (its join orders the reads), except {@link #hostId}, which the progress line may read at any time.
 */
final class HostTally {
    final int index;
    final boolean wrong;
    /** whether it colludes (then it is not {@link #wrong}) */
    final boolean colluder;
    /** honest for its first {@code turncoatAfter} results, then wrong, agreeing with the other turncoats */
    boolean turncoat;
    /** checksum outputs it computed (a turncoat's count toward turning) */
    long computed;
    volatile long hostId;
    /** the account key of the volunteer it signed up as; null when it registered anonymously */
    String accountKey;
    long storedResults;
    long duplicateWorkUnits;
    long tasksReceived;
    private final LongSet workUnits = new LongSet();

    HostTally(int index, boolean wrong) {
        this(index, wrong, false);
    }

    HostTally(int index, boolean wrong, boolean colluder) {
        this.index = index;
        this.wrong = wrong && !colluder;
        this.colluder = colluder;
    }

    /** Counts a received task's work unit; false when this host had received it before. */
    boolean received(long workUnitId) {
        tasksReceived++;
        if (workUnits.add(workUnitId)) {
            return true;
        }
        duplicateWorkUnits++;
        return false;
    }

    HostOutcome outcome() {
        return new HostOutcome(index, hostId, wrong, colluder, storedResults, duplicateWorkUnits, tasksReceived,
                turncoat);
    }
}
