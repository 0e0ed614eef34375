package dev.starling.coordinator.peer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code job_transfer} table: bytes moved for jobs' tasks, appended, summed by the views. */
@Repository
class JobTransferTable {
    private final JdbcClient jdbc;

    JobTransferTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(long jobId, long fromCoordinator, long fromPeers) {
        jdbc.sql("INSERT INTO job_transfer (job_id, from_coordinator, from_peers) VALUES (:job, :coord, :peers)")
                .param("job", jobId).param("coord", fromCoordinator).param("peers", fromPeers).update();
    }

    /** The totals of those of the given jobs that moved any bytes. */
    Map<Long, TransferLedger.Totals> totals(List<Long> jobIds) {
        Map<Long, TransferLedger.Totals> totals = new HashMap<>();
        jdbc.sql("""
                        SELECT job_id, sum(from_coordinator), sum(from_peers)
                          FROM job_transfer WHERE job_id IN (:jobs) GROUP BY job_id""")
                .param("jobs", jobIds)
                .query((rs, i) -> totals.put(rs.getLong(1), new TransferLedger.Totals(rs.getLong(2), rs.getLong(3))))
                .list();
        return totals;
    }
}
