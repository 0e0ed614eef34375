package dev.starling.coordinator.peer;

import dev.starling.coordinator.support.AfterCommit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Counts the bytes moved for each job's inputs: what the coordinator served itself, and what workers report
 * they got from peers. Rows are appended (an insert never waits for another transaction); views sum them.
 */
@Component
public class TransferLedger {
    private final JobTransferTable table;
    private final Counter fromCoordinatorBytes;
    private final Counter fromPeersBytes;

    TransferLedger(JobTransferTable table, MeterRegistry meters) {
        this.table = table;
        this.fromCoordinatorBytes = counter(meters, "coordinator", "blob bytes the coordinator served to workers");
        this.fromPeersBytes = counter(meters, "peers", "blob bytes workers report they fetched from peers");
    }

    private static Counter counter(MeterRegistry meters, String source, String description) {
        return Counter.builder("starling.transfer.bytes").tag("source", source).description(description)
                .baseUnit("bytes").register(meters);
    }

    /** Records bytes moved for a job (in the caller's transaction), and counts them in the metrics. */
    public void record(long jobId, long fromCoordinator, long fromPeers) {
        if (fromCoordinator == 0 && fromPeers == 0) {
            return;
        }
        table.insert(jobId, fromCoordinator, fromPeers);
        AfterCommit.run(() -> {
            fromCoordinatorBytes.increment(fromCoordinator);
            fromPeersBytes.increment(fromPeers);
        });
    }

    /** A job's totals. */
    public record Totals(long bytesFromCoordinator, long bytesFromPeers) {}

    /**
     * The totals of those of the given jobs that moved any bytes. PostgreSQL sums bigints as numeric (exact); a total
     * beyond a long (2^63-1 bytes, 8 EiB) is shown as that: what workers report is bounded per result
     * (WireLimits), their sum is not.
     */
    public Map<Long, Totals> totals(List<Long> jobIds) {
        if (jobIds.isEmpty()) {
            return new HashMap<>();
        }
        return table.totals(jobIds);
    }
}
