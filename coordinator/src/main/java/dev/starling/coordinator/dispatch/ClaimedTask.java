package dev.starling.coordinator.dispatch;

import java.time.Instant;

/** A replica just given to a host. */
record ClaimedTask(long resultId, long hostId, long workUnitId, long jobId, String app, int stage, long index, byte[] input,
        Instant deadline, Instant leaseExpires) {}
