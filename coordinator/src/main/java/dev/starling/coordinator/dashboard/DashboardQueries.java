package dev.starling.coordinator.dashboard;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The dashboard's own reads, each answered from an index over the few rows it shows: they run every few seconds
 * for every open page, so none of them counts a job's work units or replicas (progress comes from the activity
 * tables, see {@link JobProgress}).
 */
@Repository
class DashboardQueries {
    private final JdbcClient jdbc;

    DashboardQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Work units validated since {@code since}, by researcher (0: the admin's jobs), from the per-minute activity
     * (index job_activity_minute) of the jobs it names.
     */
    Map<Long, Long> validatedByResearcher(Instant since) {
        return jdbc.sql("""
                        SELECT coalesce(j.researcher_id, 0), sum(a.validated)
                          FROM job_activity a JOIN job j ON j.id = a.job_id
                         WHERE a.minute >= :since
                         GROUP BY 1""")
                .param("since", Timestamp.from(since))
                .query((rs, i) -> Map.entry(rs.getLong(1), rs.getLong(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Tasks being computed now, and on how many hosts: of one job, or of all when {@code jobId} is null. */
    public record InFlight(long tasks, long hosts) {}

    /** Read through the partial index of in-progress replicas (result_lease): as many rows as tasks running. */
    InFlight inFlight(Long jobId) {
        var statement = jdbc.sql("SELECT count(*), count(DISTINCT host_id) FROM result"
                + " WHERE state = 'IN_PROGRESS' AND lease_expires_at IS NOT NULL"
                + (jobId == null ? "" : " AND job_id + 0 = :job"));
        if (jobId != null) {
            // job_id + 0: the job's every replica (result_job) is the wrong way in; the running ones are few
            statement = statement.param("job", jobId);
        }
        return statement.query((rs, i) -> new InFlight(rs.getLong(1), rs.getLong(2))).single();
    }

    /** A task being computed: how far its worker's last heartbeat said it got, and whether it is paused there. */
    public record RunningTask(long resultId, int stage, long index, Long hostId, String hostName, double progress,
            boolean suspended, Instant sentAt) {}

    /**
     * The job's tasks in flight, longest running first: through the partial index of in-progress replicas
     * (result_lease), as {@link #inFlight}, so as many rows as tasks running, of which {@code limit} are shown.
     */
    List<RunningTask> running(long jobId, int limit) {
        return jdbc.sql("""
                        SELECT r.id, w.stage, w.idx, r.host_id, h.name, coalesce(r.progress, 0) AS progress,
                               r.suspended, r.sent_at
                          FROM result r
                          JOIN work_unit w ON w.id = r.work_unit_id
                          LEFT JOIN host h ON h.id = r.host_id
                         WHERE r.state = 'IN_PROGRESS' AND r.lease_expires_at IS NOT NULL AND r.job_id + 0 = :job
                         ORDER BY r.sent_at, r.id
                         LIMIT :limit""")
                .param("job", jobId).param("limit", limit)
                .query((rs, i) -> new RunningTask(rs.getLong("id"), rs.getInt("stage"), rs.getLong("idx"),
                        rs.getObject("host_id", Long.class), rs.getString("name"), rs.getDouble("progress"),
                        rs.getBoolean("suspended"), instant(rs, "sent_at")))
                .list();
    }

    /** A result that went wrong: an error, a timeout, or an output the quorum outvoted. */
    public record Trouble(long resultId, long jobId, int stage, long index, String state, Long hostId, String hostName,
            String message, String outputHash, String canonicalHash, Instant at) {}

    /** The job's latest errors and timeouts (index result_failures), newest first. */
    List<Trouble> recentFailures(long jobId, int limit) {
        return jdbc.sql("""
                        SELECT r.id, r.job_id, w.stage, w.idx, r.state, r.host_id, h.name, r.error_message,
                               r.output_hash, NULL AS canonical_hash, coalesce(r.reported_at, r.lease_expires_at) AS at
                          FROM result r
                          JOIN work_unit w ON w.id = r.work_unit_id
                          LEFT JOIN host h ON h.id = r.host_id
                         WHERE r.job_id = :job AND r.state IN ('ERROR', 'TIMED_OUT')
                         ORDER BY coalesce(r.reported_at, r.lease_expires_at) DESC
                         LIMIT :limit""")
                .param("job", jobId).param("limit", limit)
                .query(DashboardQueries::trouble).list();
    }

    /** A work unit that failed, with why. */
    public record FailedWorkUnit(int stage, long index, String error, Instant at) {}

    /** The job's failed work units (index work_unit_job_state), latest first: a job fails with its first. */
    List<FailedWorkUnit> failedWorkUnits(long jobId, int limit) {
        return jdbc.sql("""
                        SELECT stage, idx, error, finished_at FROM work_unit
                         WHERE job_id = :job AND state = 'FAILED'
                         ORDER BY finished_at DESC LIMIT :limit""")
                .param("job", jobId).param("limit", limit)
                .query((rs, i) -> new FailedWorkUnit(rs.getInt(1), rs.getLong(2), rs.getString(3),
                        instant(rs, "finished_at")))
                .list();
    }

    /**
     * Latest results the quorum outvoted (INVALID) or that have no agreeing quorum yet (INCONCLUSIVE), with the
     * canonical output's hash where there is one (index result_disagreements), newest first.
     */
    List<Trouble> recentDisagreements(int limit) {
        return jdbc.sql("""
                        SELECT r.id, r.job_id, w.stage, w.idx, r.state, r.host_id, h.name, NULL AS error_message,
                               r.output_hash, c.output_hash AS canonical_hash, r.reported_at AS at
                          FROM result r
                          JOIN work_unit w ON w.id = r.work_unit_id
                          LEFT JOIN result c ON c.id = w.canonical_result_id
                          LEFT JOIN host h ON h.id = r.host_id
                         WHERE r.state IN ('INVALID', 'INCONCLUSIVE')
                         ORDER BY r.reported_at DESC
                         LIMIT :limit""")
                .param("limit", limit)
                .query(DashboardQueries::trouble).list();
    }

    /**
     * Work units waiting for a tie-breaker, their successful results disagreeing so far (index result_inconclusive);
     * counted up to {@code cap} + 1, so a large backlog costs no more than a small one.
     */
    long inconclusiveWorkUnits(int cap) {
        return jdbc.sql("""
                        SELECT count(*) FROM (SELECT DISTINCT work_unit_id FROM result WHERE state = 'INCONCLUSIVE'
                                               LIMIT :cap) w""")
                .param("cap", cap + 1).query(Long.class).single();
    }

    private static Trouble trouble(ResultSet rs, int row) throws SQLException {
        return new Trouble(rs.getLong("id"), rs.getLong("job_id"), rs.getInt("stage"), rs.getLong("idx"),
                rs.getString("state"), rs.getObject("host_id", Long.class), rs.getString("name"),
                rs.getString("error_message"), rs.getString("output_hash"), rs.getString("canonical_hash"),
                instant(rs, "at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
