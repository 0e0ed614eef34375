package dev.starling.coordinator.peer;

import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.support.SqlArrays;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Counts the bytes moved for each job's inputs: what the coordinator served itself, and what workers report
 * they got from peers. Rows are appended (an insert never waits for another transaction); views sum them.
 */
@Component
public class TransferLedger {
    private final JdbcClient jdbc;
    private final Counter fromCoordinatorBytes;
    private final Counter fromPeersBytes;

    TransferLedger(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
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
        jdbc.sql("INSERT INTO job_transfer (job_id, from_coordinator, from_peers) VALUES (:job, :coord, :peers)")
                .param("job", jobId).param("coord", fromCoordinator).param("peers", fromPeers).update();
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
        Map<Long, Totals> totals = new HashMap<>();
        if (jobIds.isEmpty()) {
            return totals;
        }
        jdbc.sql("""
                        SELECT job_id, LEAST(sum(from_coordinator), :most), LEAST(sum(from_peers), :most)
                          FROM job_transfer WHERE job_id = ANY(:jobs) GROUP BY job_id""")
                .param("jobs", SqlArrays.of("bigint", jobIds.toArray(Long[]::new)))
                .param("most", Long.MAX_VALUE)
                .query((rs, i) -> totals.put(rs.getLong(1), new Totals(rs.getLong(2), rs.getLong(3))))
                .list();
        return totals;
    }
}
