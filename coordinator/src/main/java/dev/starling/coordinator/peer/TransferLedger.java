package dev.starling.coordinator.peer;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Counts the bytes moved for each job's inputs: what the coordinator served itself, and what workers report
 * they got from peers. Rows are appended (an insert never waits for another transaction); views sum them.
 */
@Component
public class TransferLedger {
    private final JdbcClient jdbc;

    TransferLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(long jobId, long fromCoordinator, long fromPeers) {
        if (fromCoordinator == 0 && fromPeers == 0) {
            return;
        }
        jdbc.sql("INSERT INTO job_transfer (job_id, from_coordinator, from_peers) VALUES (:job, :coord, :peers)")
                .param("job", jobId).param("coord", fromCoordinator).param("peers", fromPeers).update();
    }

    /** A job's totals. */
    public record Totals(long bytesFromCoordinator, long bytesFromPeers) {}

    public Totals totals(long jobId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(from_coordinator), 0), coalesce(sum(from_peers), 0)
                          FROM job_transfer WHERE job_id = :job""")
                .param("job", jobId)
                .query((rs, i) -> new Totals(rs.getLong(1), rs.getLong(2))).single();
    }
}
