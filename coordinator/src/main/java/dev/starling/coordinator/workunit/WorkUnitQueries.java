package dev.starling.coordinator.workunit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.starling.coordinator.support.SqlArrays;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The REST listing's reads: work units of a job with their replicas, page by page. */
@Repository
class WorkUnitQueries {
    private final JdbcClient jdbc;

    WorkUnitQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<WorkUnitView> page(long jobId, long offset, int limit) {
        Map<Long, WorkUnitView> units = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT id, stage, idx, state, cost, canonical_result_id, error, created_at, finished_at
                          FROM work_unit WHERE job_id = :job
                         ORDER BY stage, idx OFFSET :offset LIMIT :limit""")
                .param("job", jobId).param("offset", offset).param("limit", limit)
                .query((ResultSet rs) -> {
                    long id = rs.getLong("id");
                    units.put(id, new WorkUnitView(id, rs.getInt("stage"), rs.getLong("idx"), rs.getString("state"),
                            rs.getDouble("cost"), rs.getObject("canonical_result_id", Long.class),
                            rs.getString("error"), instant(rs, "created_at"), instant(rs, "finished_at"),
                            new ArrayList<>()));
                });
        if (!units.isEmpty()) {
            jdbc.sql("""
                            SELECT id, work_unit_id, host_id, state, output_hash, output_size, error_message,
                                   cpu_time_millis, credit, sent_at, reported_at,
                                   CASE WHEN state = 'IN_PROGRESS' THEN progress END AS progress,
                                   CASE WHEN state = 'IN_PROGRESS' AND suspended THEN true END AS suspended
                              FROM result WHERE work_unit_id = ANY(:ids) ORDER BY id""")
                    .param("ids", SqlArrays.of("bigint", units.keySet().toArray(Long[]::new)))
                    .query((ResultSet rs) -> {
                        units.get(rs.getLong("work_unit_id")).results().add(new ResultView(rs.getLong("id"),
                                rs.getObject("host_id", Long.class), rs.getString("state"),
                                rs.getString("output_hash"), rs.getObject("output_size", Long.class),
                                rs.getString("error_message"), rs.getObject("cpu_time_millis", Long.class),
                                rs.getObject("credit", Double.class), instant(rs, "sent_at"),
                                instant(rs, "reported_at"), rs.getObject("progress", Double.class),
                                rs.getObject("suspended", Boolean.class)));
                    });
        }
        return List.copyOf(units.values());
    }

    /** The job's work units, from the counts kept by state (V76__job_work_unit_counts.sql), not by counting them. */
    long count(long jobId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(n), 0)
                          FROM (SELECT n FROM job_work_unit_count WHERE job_id = :job
                                UNION ALL
                                SELECT n FROM job_work_unit_tally WHERE job_id = :job) c""")
                .param("job", jobId).query(Long.class).single();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WorkUnitView(long id, int stage, long index, String state, double cost, Long canonicalResultId,
            String error, Instant createdAt, Instant finishedAt, List<ResultView> results) {}

    /**
     * @param progress how far a task in progress got, 0 to 1, as its worker's last heartbeat said
     * @param suspended true while the worker holds the task paused (its volunteer's preferences), else absent
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ResultView(long id, Long hostId, String state, String outputHash, Long outputSize, String error,
            Long cpuTimeMillis, Double credit, Instant sentAt, Instant reportedAt, Double progress, Boolean suspended) {}
}
