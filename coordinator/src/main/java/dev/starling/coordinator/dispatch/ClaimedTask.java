package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.peer.Tracker;
import java.time.Instant;
import java.util.List;

/** A replica just given to a host, with its work unit's cost and where to fetch the blobs it reads. */
record ClaimedTask(long resultId, long hostId, long workUnitId, long jobId, String app, int stage, long index, byte[] input,
        double cost, List<String> blobs, Instant deadline, Instant leaseExpires, List<Tracker.Offer> inputs) {

    ClaimedTask withBlobs(List<String> all) {
        return all == blobs ? this : new ClaimedTask(resultId, hostId, workUnitId, jobId, app, stage, index, input,
                cost, all, deadline, leaseExpires, inputs);
    }

    ClaimedTask withInputs(List<Tracker.Offer> offers) {
        return new ClaimedTask(resultId, hostId, workUnitId, jobId, app, stage, index, input, cost, blobs, deadline,
                leaseExpires, offers);
    }
}
