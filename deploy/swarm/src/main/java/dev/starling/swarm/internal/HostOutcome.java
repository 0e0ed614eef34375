package dev.starling.swarm.internal;

/**
 * What one simulated host saw over a whole run, for the checks.
 *
 * @param index the host's index in the swarm (0-based)
 * @param hostId the id the coordinator gave it, 0 when it never registered
 * @param wrong whether it reported wrong outputs
 * @param colluder whether it colluded (wrong outputs where the colluders held a quorum, right ones elsewhere)
 * @param storedResults success results stored: acknowledged ACCEPTED with an empty message, or "already reported"
 *     on a retry after a call whose answer was lost (the coordinator had stored it)
 * @param duplicateWorkUnits tasks of a work unit this host had received before
 * @param tasksReceived every task it received
 * @param turncoat whether it was a turncoat: honest for its first results, then wrong (in collusion with the others)
 */
public record HostOutcome(int index, long hostId, boolean wrong, boolean colluder, long storedResults,
        long duplicateWorkUnits, long tasksReceived, boolean turncoat) {

    /** An honest or wrong host's outcome. */
    public HostOutcome(int index, long hostId, boolean wrong, long storedResults, long duplicateWorkUnits,
            long tasksReceived) {
        this(index, hostId, wrong, false, storedResults, duplicateWorkUnits, tasksReceived, false);
    }
}
