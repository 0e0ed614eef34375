package dev.starling.coordinator.validation;

import dev.starling.coordinator.workunit.ReplicaState;

/**
 * One replica of a work unit as validation reads it ({@code output} only for successful ones).
 *
 * @param quarantined sent to a host in quarantine: it counts toward a quorum only beside a host in good standing
 * @param alone sent alone to a host trusted for the app (adaptive replication): its success is a quorum by itself
 */
record ReplicaRow(long id, Long hostId, ReplicaState state, byte[] output, String outputHash, String error,
        boolean quarantined, boolean alone) {}
