package dev.starling.coordinator.job;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code job} table. */
@Repository
public class JobTable {
    private static final String COLUMNS = """
            id, researcher_id, app, params::text AS params, state, priority, quorum, initial_replicas, max_results, max_errors,
            deadline_seconds, stage, stage_size, split_next, split_complete, result::text AS result, error,
            created_at, started_at, finished_at, max_failed_work_units, reduce_app, reduce::text AS reduce,
            adaptive, rechecked_work_units, overturned_work_units, overturned_at,
            summary::text AS summary, archive_blob, archived_at, purged_at, deleted_at""";

    private final JdbcClient jdbc;

    JobTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(Long researcherId, String app, String paramsJson, int priority, Redundancy r, int deadlineSeconds,
            long stageSize, int maxFailedWorkUnits, String reduceApp, String reduceJson, Instant now) {
        return jdbc.sql("""
                        INSERT INTO job (researcher_id, app, params, priority, quorum, initial_replicas, max_results,
                                         max_errors, deadline_seconds, stage_size, max_failed_work_units, reduce_app,
                                         reduce, adaptive, created_at)
                        VALUES (:researcher, :app, CAST(:params AS jsonb), :priority, :quorum, :initialReplicas,
                                :maxResults, :maxErrors, :deadlineSeconds, :stageSize, :maxFailed, :reduceApp,
                                CAST(:reduce AS jsonb), :adaptive, :now)
                        RETURNING id""")
                .param("researcher", researcherId, java.sql.Types.BIGINT)
                .param("app", app)
                .param("params", paramsJson)
                .param("priority", priority)
                .param("quorum", r.quorum())
                .param("initialReplicas", r.initialReplicas())
                .param("maxResults", r.maxResults())
                .param("maxErrors", r.maxErrors())
                .param("adaptive", r.adaptive())
                .param("deadlineSeconds", deadlineSeconds)
                .param("stageSize", stageSize)
                .param("maxFailed", maxFailedWorkUnits)
                .param("reduceApp", reduceApp, java.sql.Types.VARCHAR)
                .param("reduce", reduceJson, java.sql.Types.VARCHAR)
                .param("now", Timestamp.from(now))
                .query(Long.class)
                .single();
    }

    public Optional<Job> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE id = :id").param("id", id).query(MAPPER).optional();
    }

    /** Locks the job row for the rest of the transaction. */
    public Optional<Job> lock(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE id = :id FOR UPDATE")
                .param("id", id).query(MAPPER).optional();
    }

    /** Newest first: every job, or the researcher's ({@code owner}). */
    List<Job> page(Optional<Long> owner, long offset, int limit) {
        if (owner.isEmpty()) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE deleted_at IS NULL ORDER BY id DESC OFFSET :offset LIMIT :limit")
                    .param("offset", offset).param("limit", limit).query(MAPPER).list();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE researcher_id = :owner AND deleted_at IS NULL ORDER BY id DESC OFFSET :offset LIMIT :limit")
                .param("owner", owner.get()).param("offset", offset).param("limit", limit).query(MAPPER).list();
    }

    /** A page of the jobs in one of the given states, newest first. */
    public List<Job> page(Collection<JobState> states, long offset, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE state = ANY(:states) AND deleted_at IS NULL ORDER BY id DESC OFFSET :offset LIMIT :limit")
                .param("states", SqlArrays.of("text", states.stream().map(Enum::name).toArray(String[]::new)))
                .param("offset", offset).param("limit", limit).query(MAPPER).list();
    }

    /** Queued and running jobs, highest priority first, then oldest first (a researcher's jobs are handed out so). */
    public List<Job> active() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM job WHERE state IN ('QUEUED', 'RUNNING') ORDER BY priority DESC, id")
                .query(MAPPER).list();
    }

    /** The queued and running jobs of an app (or whose reduce step is its), in id order (the order to lock them in). */
    List<Long> activeOf(String app) {
        return jdbc.sql("""
                        SELECT id FROM job
                         WHERE (app = :app OR reduce_app = :app) AND state IN ('QUEUED', 'RUNNING') ORDER BY id""")
                .param("app", app).query(Long.class).list();
    }

    long count(Optional<Long> owner) {
        if (owner.isEmpty()) {
            return jdbc.sql("SELECT count(*) FROM job WHERE deleted_at IS NULL").query(Long.class).single();
        }
        return jdbc.sql("SELECT count(*) FROM job WHERE researcher_id = :owner AND deleted_at IS NULL").param("owner", owner.get())
                .query(Long.class).single();
    }

    /** How many jobs are in each state (states without jobs are absent). */
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        jdbc.sql("SELECT state, count(*) FROM job GROUP BY state")
                .query((rs, i) -> counts.put(JobState.valueOf(rs.getString(1)), rs.getLong(2))).list();
        return counts;
    }

    /**
     * The next job that still has work units to write, locked; skips jobs another coordinator is splitting. The job
     * with the fewest written goes first (then priority): a small job submitted while a big one is being split is
     * written at once, not after it, so its researcher has work waiting for the fair share to serve.
     */
    Optional<Job> claimUnsplit() {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM job
                        WHERE NOT split_complete AND state IN ('QUEUED', 'RUNNING')
                        ORDER BY split_next, priority DESC, id
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED""")
                .query(MAPPER).optional();
    }

    /** An active, fully split job none of whose work units of its current stage is open, locked. */
    Optional<Job> claimStageComplete() {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM job j
                        WHERE j.state IN ('QUEUED', 'RUNNING') AND j.split_complete
                          AND NOT EXISTS (SELECT 1 FROM work_unit w WHERE w.job_id = j.id AND w.state = 'OPEN')
                          -- nor any listed for re-checking at its stage's end, not re-opened yet (holdUnvouched)
                          AND NOT EXISTS (SELECT 1 FROM recheck_work_unit q WHERE q.job_id = j.id AND q.stage_end)
                        ORDER BY j.id
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED""")
                .query(MAPPER).optional();
    }

    /**
     * Before the (locked) job moves past its current stage, once per stage: lists in the re-checker's work list the
     * stage's work units of a quorum above 1 whose canonical result stood alone and is not vouched for (reported from its host's
     * {@code host_app_trust.vouched_at} on: no spot check passed since), and those won by a replicated quorum whose
     * hosts are all quarantined now (two colluders that won it in good standing: the re-checker voids such groups in
     * the work units it re-checks), and notes the stage as checked, in one statement over the stage's work units (a
     * host read by key for each; the quorum's other results only where the canonical one's host is quarantined).
     * Returns how many it listed: while any is listed or, re-opened, open, the job is not complete
     * ({@link #claimStageComplete}); when they are validated again the completer finds the stage checked and moves
     * on. 0 when the stage was checked already or nothing was found.
     */
    long holdUnvouched(long id, int stage) {
        return jdbc.sql("""
                        WITH due AS (
                            UPDATE job SET alone_checked_stage = :stage
                             WHERE id = :id AND alone_checked_stage IS DISTINCT FROM :stage
                            RETURNING id),
                        listed AS (
                            INSERT INTO recheck_work_unit AS q (work_unit_id, job_id, stage_end)
                            SELECT w.id, w.job_id, true
                              FROM due JOIN work_unit w ON w.job_id = due.id
                              JOIN result r ON r.id = w.canonical_result_id
                              LEFT JOIN host_app_trust t ON t.host_id = r.host_id AND t.app = r.app
                              LEFT JOIN host h ON h.id = r.host_id
                             -- a work unit of quorum 1 is decided by one result anyway: its job asked for no check
                             WHERE w.stage = :stage AND w.state = 'VALIDATED' AND w.quorum > 1 AND r.state = 'VALID'
                               AND CASE WHEN r.alone THEN r.reported_at >= coalesce(t.vouched_at, '-infinity')
                                        ELSE h.quarantine_doubts
                                             AND NOT EXISTS (SELECT 1 FROM result g JOIN host gh ON gh.id = g.host_id
                                                              WHERE g.work_unit_id = w.id AND g.state = 'VALID'
                                                                AND NOT gh.quarantine_doubts) END
                            ON CONFLICT (work_unit_id) DO UPDATE SET job_id = EXCLUDED.job_id, stage_end = true
                            RETURNING 1)
                        SELECT count(*) FROM listed""")
                .param("id", id).param("stage", stage).query(Long.class).single();
    }

    /**
     * Marks a (locked, finished) job deleted by its researcher: the purger deletes its details without an archive, and
     * takes it up again if it was purged already, to let its archive go.
     */
    void markDeleted(long id, Instant now) {
        expectOne(jdbc.sql("UPDATE job SET deleted_at = :now, purge_lease = NULL, purged_at = NULL"
                        + " WHERE id = :id AND deleted_at IS NULL")
                .param("id", id).param("now", Timestamp.from(now)).update(), id);
    }

    void planStage(long id, int stage, long size) {
        expectOne(jdbc.sql("""
                        UPDATE job SET stage = :stage, stage_size = :size, split_next = 0, split_complete = false
                         WHERE id = :id""")
                .param("id", id).param("stage", stage).param("size", size).update(), id);
    }

    void advanceSplit(long id, long next, boolean complete) {
        expectOne(jdbc.sql("UPDATE job SET split_next = :next, split_complete = :complete WHERE id = :id")
                .param("id", id).param("next", next).param("complete", complete).update(), id);
    }

    /** Moves an active job to a final state; returns false when it was final already. */
    public boolean finish(long id, JobState state, String resultJson, String error, Instant now) {
        return jdbc.sql("""
                        UPDATE job SET state = :state, result = CAST(:result AS jsonb), error = :error,
                                       finished_at = :now, split_complete = true
                         WHERE id = :id AND state IN ('QUEUED', 'RUNNING')""")
                .param("id", id)
                .param("state", state.name())
                .param("result", resultJson)
                .param("error", error)
                .param("now", Timestamp.from(now))
                .update() == 1;
    }

    /**
     * Fails an active job whose failed work units are more than it allows ({@code max_failed_work_units}), or one of
     * whose reduce step's work units failed (a reduce that lost an input would be wrong); returns whether it failed.
     */
    public boolean failIfTooManyFailed(long id, String error, Instant now) {
        return jdbc.sql("""
                        UPDATE job SET state = 'FAILED', error = :error, finished_at = :now, split_complete = true
                         WHERE id = :id AND state IN ('QUEUED', 'RUNNING')
                           AND ((SELECT count(*) FROM work_unit WHERE job_id = :id AND state = 'FAILED')
                                > max_failed_work_units
                                OR reduce_app IS NOT NULL AND EXISTS (SELECT 1 FROM work_unit WHERE job_id = :id
                                                                         AND stage > 0 AND state = 'FAILED'))""")
                .param("id", id).param("error", error).param("now", Timestamp.from(now)).update() == 1;
    }

    /**
     * Work unit counts by state for each of the given jobs: a few rows each, not the job's work units. Triggers on
     * {@code work_unit} append every statement's change to {@code job_work_unit_tally}; {@link #foldCounts} moves
     * those into {@code job_work_unit_count}; this adds both, so it is exact in the caller's snapshot
     * (V76__job_work_unit_counts.sql).
     */
    Map<Long, Map<String, Long>> workUnitCounts(List<Long> jobIds) {
        Map<Long, Map<String, Long>> counts = new java.util.HashMap<>();
        if (jobIds.isEmpty()) {
            return counts;
        }
        jdbc.sql("""
                        SELECT job_id, state, sum(n) AS n
                          FROM (SELECT job_id, state, n FROM job_work_unit_count WHERE job_id = ANY(:ids)
                                UNION ALL
                                SELECT job_id, state, n FROM job_work_unit_tally WHERE job_id = ANY(:ids)) c
                         GROUP BY job_id, state""")
                .param("ids", SqlArrays.of("bigint", jobIds.toArray(Long[]::new)))
                .query((RowMapper<Void>) (rs, i) -> {
                    counts.computeIfAbsent(rs.getLong("job_id"), k -> new java.util.HashMap<>())
                            .put(rs.getString("state"), rs.getLong("n"));
                    return null;
                })
                .list();
        return counts;
    }

    /**
     * Moves up to {@code limit} rows of {@code job_work_unit_tally} into {@code job_work_unit_count} in one statement;
     * returns how many it moved. Rows another transaction is folding are skipped, so coordinators never fold a row
     * twice; the upserts run in key order, so two folds never wait for each other in a cycle.
     */
    int foldCounts(int limit) {
        return jdbc.sql("""
                        WITH taken AS (
                            DELETE FROM job_work_unit_tally
                             WHERE ctid = ANY(ARRAY(SELECT ctid FROM job_work_unit_tally LIMIT :limit
                                                       FOR UPDATE SKIP LOCKED))
                            RETURNING job_id, state, n),
                        folded AS (
                            INSERT INTO job_work_unit_count AS c (job_id, state, n)
                            SELECT job_id, state, sum(n) FROM taken GROUP BY job_id, state ORDER BY job_id, state
                            ON CONFLICT (job_id, state) DO UPDATE SET n = c.n + excluded.n)
                        SELECT count(*) FROM taken""")
                .param("limit", limit)
                .query(Long.class).single().intValue();
    }

    private static void expectOne(int rows, long id) {
        if (rows != 1) {
            throw new IllegalStateException("expected to update job " + id + ", updated " + rows + " rows");
        }
    }

    private static final RowMapper<Job> MAPPER = JobTable::map;

    private static Job map(ResultSet rs, int row) throws SQLException {
        Long stageSize = rs.getObject("stage_size", Long.class);
        return new Job(
                rs.getLong("id"),
                rs.getObject("researcher_id", Long.class),
                rs.getString("app"),
                rs.getString("params"),
                JobState.valueOf(rs.getString("state")),
                rs.getInt("priority"),
                new Redundancy(rs.getInt("quorum"), rs.getInt("initial_replicas"), rs.getInt("max_results"),
                        rs.getInt("max_errors"), rs.getBoolean("adaptive")),
                rs.getInt("deadline_seconds"),
                rs.getInt("stage"),
                stageSize,
                rs.getLong("split_next"),
                rs.getBoolean("split_complete"),
                rs.getString("result"),
                rs.getString("error"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                rs.getInt("max_failed_work_units"),
                rs.getString("reduce_app"),
                rs.getString("reduce"),
                rs.getInt("rechecked_work_units") == 0 ? null : new Job.Recheck(rs.getInt("rechecked_work_units"),
                        rs.getInt("overturned_work_units"), instant(rs, "overturned_at")),
                rs.getString("summary") == null && rs.getTimestamp("deleted_at") == null ? null
                        : new Job.Retention(rs.getString("summary"), rs.getString("archive_blob"),
                                instant(rs, "archived_at"), instant(rs, "purged_at"), instant(rs, "deleted_at")));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** Counts by work unit state, with every state present. */
    static Map<String, Long> complete(Map<String, Long> byState) {
        Map<String, Long> all = new java.util.LinkedHashMap<>();
        for (String s : List.of("OPEN", "VALIDATED", "FAILED", "CANCELLED")) {
            all.put(s, byState == null ? 0L : byState.getOrDefault(s, 0L));
        }
        return all;
    }
}
