package dev.starling.coordinator.peer;

import dev.starling.coordinator.support.SqlArrays;
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

    /** The totals of those of the given jobs that moved any bytes, each at most 2^63-1 (see TransferLedger). */
    Map<Long, TransferLedger.Totals> totals(List<Long> jobIds) {
        Map<Long, TransferLedger.Totals> totals = new HashMap<>();
        jdbc.sql("""
                        SELECT job_id, LEAST(sum(from_coordinator), :most), LEAST(sum(from_peers), :most)
                          FROM job_transfer WHERE job_id = ANY(:jobs) GROUP BY job_id""")
                .param("jobs", SqlArrays.of("bigint", jobIds.toArray(Long[]::new)))
                .param("most", Long.MAX_VALUE)
                .query((rs, i) -> totals.put(rs.getLong(1), new TransferLedger.Totals(rs.getLong(2), rs.getLong(3))))
                .list();
        return totals;
    }
}
