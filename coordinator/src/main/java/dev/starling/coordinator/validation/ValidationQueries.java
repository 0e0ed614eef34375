package dev.starling.coordinator.validation;

import dev.starling.coordinator.support.SqlArrays;
import dev.starling.coordinator.workunit.ReplicaState;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.coordinator.workunit.WorkUnitState;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of reporting and validation. Lock order, everywhere: a work unit row first (ascending id when
 * there are several), then its replicas. Every state change is guarded by the state it expects.
 */
@Repository
class ValidationQueries {
    private static final String WU_COLUMNS = "w.id, w.job_id, w.stage, w.idx, " + WorkUnitTable.APP_OF_WORK_UNIT
            + " AS app, w.state, w.quorum, w.max_results, w.max_errors, w.cost, w.canonical_result_id, w.input,"
            + " w.recheck_hash IS NOT NULL AS rechecking";

    private final JdbcClient jdbc;

    ValidationQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A reported replica's owner, and its work unit (locked). */
    record Owner(long resultId, Long hostId, WorkUnitRow workUnit) {}

    /**
     * Locks the work units of the given replicas in ascending id order (the lock order), waiting for those
     * others hold, and returns each replica's owner with its work unit: one statement.
     */
    List<Owner> lockOwners(Collection<Long> resultIds) {
        if (resultIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT r.id AS result_id, r.host_id, " + WU_COLUMNS
                        + " FROM result r JOIN work_unit w ON w.id = r.work_unit_id JOIN job j ON j.id = w.job_id"
                        + " WHERE r.id = ANY(:ids) ORDER BY w.id FOR UPDATE OF w")
                .param("ids", SqlArrays.of("bigint", resultIds.toArray(Long[]::new)))
                .query((rs, i) -> new Owner(rs.getLong("result_id"), rs.getObject("host_id", Long.class),
                        workUnit(rs, i)))
                .list();
    }

    /**
     * Of the given replicas that are gone, those that were a purged job's (between its first and last replica's ids):
     * retention deleted them, and a late report of one is simply no longer needed.
     */
    Set<Long> purged(Collection<Long> resultIds) {
        if (resultIds.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("""
                        SELECT u.id FROM unnest(:ids) AS u(id)
                         WHERE NOT EXISTS (SELECT 1 FROM result r WHERE r.id = u.id)
                           AND EXISTS (SELECT 1 FROM job j
                                        WHERE j.first_result_id IS NOT NULL AND j.last_result_id >= u.id
                                          AND j.first_result_id <= u.id)""")
                .param("ids", SqlArrays.of("bigint", resultIds.toArray(Long[]::new)))
                .query(Long.class).list());
    }

    /** Notes blobs kept for a job (its output files): the blob collector leaves them until the job is purged. */
    void jobBlobs(long jobId, List<String> blobIds) {
        if (!blobIds.isEmpty()) {
            jdbc.sql("INSERT INTO job_blob (job_id, blob_id) SELECT :job, unnest(:blobs) ON CONFLICT DO NOTHING")
                    .param("job", jobId).param("blobs", SqlArrays.of("text", blobIds.toArray(String[]::new)))
                    .update();
        }
    }

    /** Locks those of the work units no other transaction holds (sweepers skip what others are doing). */
    List<WorkUnitRow> tryLockWorkUnits(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT " + WU_COLUMNS + " FROM work_unit w JOIN job j ON j.id = w.job_id"
                        + " WHERE w.id = ANY(:ids) ORDER BY w.id FOR UPDATE OF w SKIP LOCKED")
                .param("ids", SqlArrays.of("bigint", ids.toArray(Long[]::new)))
                .query(ValidationQueries::workUnit).list();
    }

    /** The replicas of the work units, by work unit, each list in id order. */
    Map<Long, List<ReplicaRow>> replicas(Collection<Long> workUnitIds) {
        Map<Long, List<ReplicaRow>> byWorkUnit = new HashMap<>();
        if (workUnitIds.isEmpty()) {
            return byWorkUnit;
        }
        jdbc.sql("""
                        SELECT id, work_unit_id, host_id, state,
                               CASE WHEN state IN ('REPORTED', 'INCONCLUSIVE') THEN output END AS output,
                               output_hash, error_message, quarantined, alone
                          FROM result WHERE work_unit_id = ANY(:wus) ORDER BY work_unit_id, id""")
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .query((rs, i) -> Map.entry(rs.getLong("work_unit_id"), new ReplicaRow(rs.getLong("id"),
                        rs.getObject("host_id", Long.class), ReplicaState.valueOf(rs.getString("state")),
                        rs.getBytes("output"), rs.getString("output_hash"), rs.getString("error_message"),
                        rs.getBoolean("quarantined"), rs.getBoolean("alone"))))
                .list()
                .forEach(e -> byWorkUnit.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return byWorkUnit;
    }

    /** A result's output and its content address. */
    record Output(byte[] bytes, String hash) {}

    Output output(long resultId) {
        return jdbc.sql("SELECT output, output_hash FROM result WHERE id = :id").param("id", resultId)
                .query((rs, i) -> new Output(rs.getBytes(1), rs.getString(2))).single();
    }

    ReplicaState state(long resultId) {
        return ReplicaState.valueOf(jdbc.sql("SELECT state FROM result WHERE id = :id").param("id", resultId)
                .query(String.class).single());
    }

    /**
     * Stores successful reports (of any hosts) in one statement; returns the ids stored. A replica that is no
     * longer its reporting host's to report (given to another, cancelled, already reported) is left as it is.
     */
    Set<Long> storeSuccesses(List<ReportService.Entry> entries, Instant now) {
        if (entries.isEmpty()) {
            return new HashSet<>();
        }
        int n = entries.size();
        Long[] ids = new Long[n];
        Long[] hosts = new Long[n];
        byte[][] outputs = new byte[n][];
        String[] hashes = new String[n];
        Long[] cpu = new Long[n];
        for (int i = 0; i < n; i++) {
            Report r = entries.get(i).report();
            ids[i] = r.resultId();
            hosts[i] = entries.get(i).hostId();
            outputs[i] = r.output();
            hashes[i] = r.outputHash();
            cpu[i] = r.cpuMillis();
        }
        return new HashSet<>(jdbc.sql("""
                        UPDATE result r
                           SET state = 'REPORTED', output = u.output, output_hash = u.hash,
                               output_size = octet_length(u.output), cpu_time_millis = u.cpu, reported_at = :now,
                               progress = 1
                          FROM unnest(:ids, :hosts, :outputs, :hashes, :cpu) AS u(id, host, output, hash, cpu)
                         WHERE r.id = u.id AND r.host_id = u.host AND r.state IN ('IN_PROGRESS', 'TIMED_OUT')
                        RETURNING r.id""")
                .param("ids", SqlArrays.of("bigint", ids))
                .param("outputs", SqlArrays.of("bytea", outputs))
                .param("hashes", SqlArrays.of("text", hashes))
                .param("cpu", SqlArrays.of("bigint", cpu))
                .param("hosts", SqlArrays.of("bigint", hosts))
                .param("now", Timestamp.from(now))
                .query(Long.class).list());
    }

    boolean storeError(long resultId, long hostId, String message, long cpuMillis, Instant now) {
        return jdbc.sql("""
                        UPDATE result SET state = 'ERROR', error_message = :message, cpu_time_millis = :cpu,
                                          reported_at = :now
                         WHERE id = :id AND host_id = :host AND state = 'IN_PROGRESS'""")
                .param("id", resultId).param("host", hostId).param("message", message).param("cpu", cpuMillis)
                .param("now", Timestamp.from(now)).update() == 1;
    }

    /** The blobs a work unit's tasks read. */
    List<String> inputs(long workUnitId) {
        return jdbc.sql("SELECT unnest(blobs) FROM work_unit WHERE id = :id").param("id", workUnitId)
                .query(String.class).list();
    }

    /**
     * A task given back without fault becomes unsent again, for any host (this one included). Returns when it
     * had been sent, or null when it was not this host's task in progress.
     */
    Instant giveBack(long resultId, long hostId) {
        return jdbc.sql("""
                        UPDATE result r SET state = 'UNSENT', host_id = NULL, volunteer_id = NULL, quarantined = false,
                                            sent_at = NULL, deadline_at = NULL, lease_expires_at = NULL,
                                            progress = NULL, alone = false
                          FROM (SELECT id, sent_at FROM result WHERE id = :id) old
                         WHERE r.id = old.id AND r.host_id = :host AND r.state = 'IN_PROGRESS'
                        RETURNING old.sent_at""")
                .param("id", resultId).param("host", hostId)
                .query((rs, i) -> rs.getTimestamp(1).toInstant()).optional().orElse(null);
    }

    /**
     * Moves replicas to judged states, each guarded by the state it was read in under its work unit's lock;
     * drops the outputs of all but canonical replicas (their hashes stay). A result of a convicted host judged VALID
     * lists its work unit for the re-checker ({@link SpotCheckQueries#listConvicted} says why that is enough), and so
     * does one of a quarantined host, not alone, that no host in good standing agrees with here
     * ({@link SpotCheckQueries#listQuarantined}).
     */
    void setStates(List<Decisions.StateChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        int n = changes.size();
        Long[] ids = new Long[n];
        String[] from = new String[n];
        String[] to = new String[n];
        Double[] credit = new Double[n];
        Boolean[] keep = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Decisions.StateChange c = changes.get(i);
            ids[i] = c.resultId();
            from[i] = c.from().name();
            to[i] = c.to().name();
            credit[i] = c.credit();
            keep[i] = c.keepOutput();
        }
        int rows = jdbc.sql("""
                        WITH changed AS (
                            UPDATE result r
                               SET state = u.to_state, credit = u.credit,
                                   output = CASE WHEN u.keep THEN r.output END
                              FROM unnest(:ids, :from, :to, :credit, :keep)
                                   AS u(id, from_state, to_state, credit, keep)
                             WHERE r.id = u.id AND r.state = u.from_state
                            RETURNING r.work_unit_id, r.host_id, r.state, r.alone),
                        -- the quarantined hosts, read once through host_quarantined (the convicted are among them)
                        quarantined AS (
                            SELECT id, convicted_at IS NOT NULL AS convicted FROM host
                             WHERE quarantined_at IS NOT NULL AND (quarantine_doubts OR convicted_at IS NOT NULL)),
                        -- on the re-checker's work list: the work unit of a convicted host's result judged VALID, and
                        -- of a quarantined host's (not alone) judged VALID beside no host in good standing in this
                        -- statement (their work units are re-checked, the group voided if all its hosts still are)
                        suspect AS (
                            INSERT INTO recheck_work_unit (work_unit_id)
                            SELECT DISTINCT c.work_unit_id FROM changed c JOIN quarantined q ON q.id = c.host_id
                             WHERE c.state = 'VALID'
                               AND (q.convicted
                                    OR NOT c.alone
                                       AND NOT EXISTS (SELECT 1 FROM changed g
                                                        WHERE g.work_unit_id = c.work_unit_id AND g.state = 'VALID'
                                                          AND g.host_id NOT IN (SELECT id FROM quarantined)))
                            ON CONFLICT DO NOTHING)
                        SELECT count(*)::int FROM changed""")
                .param("ids", SqlArrays.of("bigint", ids))
                .param("from", SqlArrays.of("text", from))
                .param("to", SqlArrays.of("text", to))
                .param("credit", SqlArrays.of("float8", credit))
                .param("keep", SqlArrays.of("boolean", keep))
                .query(Integer.class).single();
        if (rows != n) {
            throw new IllegalStateException("of " + n + " results, " + (n - rows)
                    + " were not in the state read under their work unit's lock");
        }
    }

    /** Unsent and in-progress replicas of decided work units are no longer needed. */
    void cancelPending(List<Long> workUnitIds) {
        if (!workUnitIds.isEmpty()) {
            jdbc.sql("UPDATE result SET state = 'CANCELLED' WHERE work_unit_id = ANY(:wus) AND state IN ('UNSENT', 'IN_PROGRESS')")
                    .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new))).update();
        }
    }

    /** Adds unsent replicas to work units (work unit id to count); returns how many were created. */
    int addReplicas(Map<Long, Integer> counts, Instant now) {
        if (counts.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at, reads_blobs, researcher_id)
                        SELECT w.id, w.job_id, {app}, j.priority, :now, cardinality(w.blobs) > 0,
                               coalesce(j.researcher_id, 0)
                          FROM unnest(:wus, :counts) AS u(wu, n)
                          JOIN work_unit w ON w.id = u.wu
                          JOIN job j ON j.id = w.job_id
                          CROSS JOIN LATERAL generate_series(1, u.n)""".replace("{app}", WorkUnitTable.APP_OF_WORK_UNIT))
                .param("wus", SqlArrays.of("bigint", counts.keySet().toArray(Long[]::new)))
                .param("counts", SqlArrays.of("integer", counts.values().toArray(Integer[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /** Marks work units validated (work unit id to canonical result id); each must be open. */
    void validate(Map<Long, Long> canonicals, Instant now) {
        if (canonicals.isEmpty()) {
            return;
        }
        int rows = jdbc.sql("""
                        UPDATE work_unit w SET state = 'VALIDATED', canonical_result_id = u.canonical, finished_at = :now
                          FROM unnest(:wus, :canonicals) AS u(id, canonical)
                         WHERE w.id = u.id AND w.state = 'OPEN'""")
                .param("wus", SqlArrays.of("bigint", canonicals.keySet().toArray(Long[]::new)))
                .param("canonicals", SqlArrays.of("bigint", canonicals.values().toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
        if (rows != canonicals.size()) {
            throw new IllegalStateException("work units " + canonicals.keySet() + " were not all OPEN under their locks");
        }
    }

    void fail(long workUnitId, String error, Instant now) {
        int rows = jdbc.sql("""
                        UPDATE work_unit SET state = 'FAILED', error = :error, finished_at = :now
                         WHERE id = :wu AND state = 'OPEN'""")
                .param("wu", workUnitId).param("error", error).param("now", Timestamp.from(now)).update();
        if (rows != 1) {
            throw new IllegalStateException("work unit " + workUnitId + " was not OPEN under its own lock");
        }
    }

    /** Work units with a replica whose lease ran out, oldest work unit first. */
    List<Long> expiredWorkUnits(Instant now, int limit) {
        return jdbc.sql("""
                        SELECT DISTINCT work_unit_id FROM result
                         WHERE state = 'IN_PROGRESS' AND lease_expires_at < :now
                         ORDER BY work_unit_id LIMIT :limit""")
                .param("now", Timestamp.from(now)).param("limit", limit).query(Long.class).list();
    }

    /** A replica that timed out: its work unit and host. */
    record TimedOut(long workUnitId, long hostId) {}

    /** Times out the expired replicas of (locked) work units; returns one entry per replica. */
    List<TimedOut> timeOut(Collection<Long> workUnitIds, Instant now) {
        if (workUnitIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        UPDATE result SET state = 'TIMED_OUT'
                         WHERE work_unit_id = ANY(:wus) AND state = 'IN_PROGRESS' AND lease_expires_at < :now
                        RETURNING work_unit_id, host_id""")
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .query((rs, i) -> new TimedOut(rs.getLong(1), rs.getLong(2))).list();
    }

    private static WorkUnitRow workUnit(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new WorkUnitRow(rs.getLong("id"), rs.getLong("job_id"), rs.getInt("stage"), rs.getLong("idx"),
                rs.getString("app"), WorkUnitState.valueOf(rs.getString("state")), rs.getInt("quorum"),
                rs.getInt("max_results"), rs.getInt("max_errors"), rs.getDouble("cost"),
                rs.getObject("canonical_result_id", Long.class), rs.getBytes("input"), rs.getBoolean("rechecking"));
    }
}
