package dev.starling.coordinator.validation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of reporting and validation. Lock order, everywhere: a work unit row first (ascending id when
 * there are several), then its replicas. Every state change is guarded by the state it expects.
 */
@Repository
class ValidationQueries {
    private static final String WU_COLUMNS = """
            w.id, w.job_id, w.stage, w.idx, j.app, w.state, w.quorum, w.max_results, w.max_errors, w.cost,
            w.canonical_result_id, w.input""";

    private final JdbcClient jdbc;

    ValidationQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Owner and work unit of each reported replica. */
    List<Owner> owners(List<Long> resultIds) {
        return jdbc.sql("SELECT id, work_unit_id, host_id FROM result WHERE id IN (:ids)")
                .param("ids", resultIds)
                .query((rs, i) -> new Owner(rs.getLong(1), rs.getLong(2), rs.getObject(3, Long.class)))
                .list();
    }

    record Owner(long resultId, long workUnitId, Long hostId) {}

    Optional<WorkUnitRow> lockWorkUnit(long id) {
        return lock(id, "");
    }

    /** Locks a work unit unless another transaction holds it (sweepers skip what others are doing). */
    Optional<WorkUnitRow> tryLockWorkUnit(long id) {
        return lock(id, " SKIP LOCKED");
    }

    private Optional<WorkUnitRow> lock(long id, String waitPolicy) {
        return jdbc.sql("SELECT " + WU_COLUMNS + " FROM work_unit w JOIN job j ON j.id = w.job_id"
                        + " WHERE w.id = :id FOR UPDATE OF w" + waitPolicy)
                .param("id", id).query(ValidationQueries::workUnit).optional();
    }

    List<ReplicaRow> replicas(long workUnitId) {
        return jdbc.sql("""
                        SELECT id, host_id, state,
                               CASE WHEN state IN ('REPORTED', 'INCONCLUSIVE') THEN output END AS output,
                               output_hash, error_message
                          FROM result WHERE work_unit_id = :wu ORDER BY id""")
                .param("wu", workUnitId)
                .query((rs, i) -> new ReplicaRow(rs.getLong("id"), rs.getObject("host_id", Long.class),
                        rs.getString("state"), rs.getBytes("output"), rs.getString("output_hash"),
                        rs.getString("error_message")))
                .list();
    }

    /** A result's output and its content address. */
    record Output(byte[] bytes, String hash) {}

    Output output(long resultId) {
        return jdbc.sql("SELECT output, output_hash FROM result WHERE id = :id").param("id", resultId)
                .query((rs, i) -> new Output(rs.getBytes(1), rs.getString(2))).single();
    }

    String state(long resultId) {
        return jdbc.sql("SELECT state FROM result WHERE id = :id").param("id", resultId).query(String.class).single();
    }

    /** Stores a successful report; false when the replica is no longer this host's to report. */
    boolean storeSuccess(long resultId, long hostId, byte[] output, String hash, long cpuMillis, Instant now) {
        return jdbc.sql("""
                        UPDATE result SET state = 'REPORTED', output = :output, output_hash = :hash,
                                          output_size = :size, cpu_time_millis = :cpu, reported_at = :now,
                                          progress = 1
                         WHERE id = :id AND host_id = :host AND state IN ('IN_PROGRESS', 'TIMED_OUT')""")
                .param("id", resultId).param("host", hostId).param("output", output).param("hash", hash)
                .param("size", (long) output.length).param("cpu", cpuMillis).param("now", Timestamp.from(now))
                .update() == 1;
    }

    boolean storeError(long resultId, long hostId, String message, long cpuMillis, Instant now) {
        return jdbc.sql("""
                        UPDATE result SET state = 'ERROR', error_message = :message, cpu_time_millis = :cpu,
                                          reported_at = :now
                         WHERE id = :id AND host_id = :host AND state = 'IN_PROGRESS'""")
                .param("id", resultId).param("host", hostId).param("message", message).param("cpu", cpuMillis)
                .param("now", Timestamp.from(now)).update() == 1;
    }

    /** A task given back without fault becomes unsent again, for any host (this one included). */
    boolean giveBack(long resultId, long hostId) {
        return jdbc.sql("""
                        UPDATE result SET state = 'UNSENT', host_id = NULL, sent_at = NULL, deadline_at = NULL,
                                          lease_expires_at = NULL, progress = NULL
                         WHERE id = :id AND host_id = :host AND state = 'IN_PROGRESS'""")
                .param("id", resultId).param("host", hostId).update() == 1;
    }

    void setState(long resultId, String from, String to, Double credit) {
        int rows = jdbc.sql("UPDATE result SET state = :to, credit = :credit WHERE id = :id AND state = :from")
                .param("id", resultId).param("from", from).param("to", to).param("credit", credit).update();
        if (rows != 1) {
            throw new IllegalStateException("result " + resultId + " was not " + from + " under its work unit's lock");
        }
    }

    /** Unsent and in-progress replicas of a decided work unit are no longer needed. */
    void cancelPending(long workUnitId) {
        jdbc.sql("UPDATE result SET state = 'CANCELLED' WHERE work_unit_id = :wu AND state IN ('UNSENT', 'IN_PROGRESS')")
                .param("wu", workUnitId).update();
    }

    /** Outputs of replicas that lost are not needed any more; their hashes stay. */
    void dropLosingOutputs(long workUnitId, long canonicalId) {
        jdbc.sql("UPDATE result SET output = NULL WHERE work_unit_id = :wu AND id <> :canonical AND output IS NOT NULL")
                .param("wu", workUnitId).param("canonical", canonicalId).update();
    }

    void addReplicas(WorkUnitRow wu, int count, Instant now) {
        jdbc.sql("""
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at)
                        SELECT :wu, :job, :app, j.priority, :now FROM job j, generate_series(1, :count) WHERE j.id = :job""")
                .param("wu", wu.id()).param("job", wu.jobId()).param("app", wu.app()).param("count", count)
                .param("now", Timestamp.from(now)).update();
    }

    void validate(long workUnitId, long canonicalId, Instant now) {
        expectOne(jdbc.sql("""
                        UPDATE work_unit SET state = 'VALIDATED', canonical_result_id = :canonical, finished_at = :now
                         WHERE id = :wu AND state = 'OPEN'""")
                .param("wu", workUnitId).param("canonical", canonicalId).param("now", Timestamp.from(now)).update(),
                workUnitId);
    }

    void fail(long workUnitId, String error, Instant now) {
        expectOne(jdbc.sql("""
                        UPDATE work_unit SET state = 'FAILED', error = :error, finished_at = :now
                         WHERE id = :wu AND state = 'OPEN'""")
                .param("wu", workUnitId).param("error", error).param("now", Timestamp.from(now)).update(), workUnitId);
    }

    /** Work units with a replica whose lease ran out, oldest work unit first. */
    List<Long> expiredWorkUnits(Instant now, int limit) {
        return jdbc.sql("""
                        SELECT DISTINCT work_unit_id FROM result
                         WHERE state = 'IN_PROGRESS' AND lease_expires_at < :now
                         ORDER BY work_unit_id LIMIT :limit""")
                .param("now", Timestamp.from(now)).param("limit", limit).query(Long.class).list();
    }

    /** Times out the expired replicas of a (locked) work unit; returns their hosts. */
    List<Long> timeOut(long workUnitId, Instant now) {
        return jdbc.sql("""
                        UPDATE result SET state = 'TIMED_OUT'
                         WHERE work_unit_id = :wu AND state = 'IN_PROGRESS' AND lease_expires_at < :now
                        RETURNING host_id""")
                .param("wu", workUnitId).param("now", Timestamp.from(now)).query(Long.class).list();
    }

    private static void expectOne(int rows, long workUnitId) {
        if (rows != 1) {
            throw new IllegalStateException("work unit " + workUnitId + " was not OPEN under its own lock");
        }
    }

    private static WorkUnitRow workUnit(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new WorkUnitRow(rs.getLong("id"), rs.getLong("job_id"), rs.getInt("stage"), rs.getLong("idx"),
                rs.getString("app"), rs.getString("state"), rs.getInt("quorum"), rs.getInt("max_results"),
                rs.getInt("max_errors"), rs.getDouble("cost"), rs.getObject("canonical_result_id", Long.class),
                rs.getBytes("input"));
    }
}
