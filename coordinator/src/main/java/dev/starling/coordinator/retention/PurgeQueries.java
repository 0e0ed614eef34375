package dev.starling.coordinator.retention;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The purger's SQL: which finished job is due, its work units and replicas read for the archive, and deleted a batch
 * at a time. Every statement reads a job's rows through the indexes that lead with the job or the work unit, so a batch
 * costs the same whatever the table's size.
 */
@Repository
class PurgeQueries {
    private final JdbcClient jdbc;

    PurgeQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A job to purge, leased to this coordinator. */
    record Due(long id, Long researcherId, boolean summarized, boolean deleted) {}

    /**
     * Leases the finished job that has been finished longest (since before {@code cutoff}), or a deleted one, and that
     * no other coordinator holds; empty when there is none. Its own short transaction: the lease, not a row lock,
     * keeps other coordinators off while this one writes the archive, and lapses if this one dies.
     */
    Optional<Due> lease(Instant cutoff, Instant now, Instant until) {
        return jdbc.sql("""
                        UPDATE job SET purge_lease = :until
                         WHERE id = (SELECT id FROM job
                                      WHERE purged_at IS NULL AND finished_at IS NOT NULL
                                        AND (finished_at <= :cutoff OR deleted_at IS NOT NULL)
                                        AND (purge_lease IS NULL OR purge_lease < :now)
                                      ORDER BY finished_at
                                      LIMIT 1
                                      FOR UPDATE SKIP LOCKED)
                        RETURNING id, researcher_id, summary IS NOT NULL AS summarized, deleted_at IS NOT NULL AS deleted""")
                .param("cutoff", Timestamp.from(cutoff))
                .param("now", Timestamp.from(now))
                .param("until", Timestamp.from(until))
                .query((rs, i) -> new Due(rs.getLong("id"), rs.getObject("researcher_id", Long.class),
                        rs.getBoolean("summarized"), rs.getBoolean("deleted")))
                .optional();
    }

    void renew(long jobId, Instant until) {
        jdbc.sql("UPDATE job SET purge_lease = :until WHERE id = :id")
                .param("id", jobId).param("until", Timestamp.from(until)).update();
    }

    /** A work unit as archived, with its replicas. */
    record ArchivedWorkUnit(long id, int stage, long index, String state, double cost, byte[] input, String[] blobs,
            String error, Long canonicalResultId, Instant createdAt, Instant finishedAt) {}

    /** A replica as archived; {@code output} only for the canonical one. */
    record ArchivedReplica(long id, long workUnitId, Long hostId, String state, Double credit, Instant createdAt,
            Instant sentAt, Instant reportedAt, String outputHash, Long outputSize, String errorMessage,
            Long cpuTimeMillis, byte[] output) {}

    /** The job's work units after {@code (stage, index)}, in that order (the splitter's unique index). */
    List<ArchivedWorkUnit> workUnitsAfter(long jobId, int stage, long index, int limit) {
        return jdbc.sql("""
                        SELECT id, stage, idx, state, cost, input, blobs, error, canonical_result_id, created_at,
                               finished_at
                          FROM work_unit
                         WHERE job_id = :job AND (stage, idx) > (:stage, :idx)
                         ORDER BY stage, idx
                         LIMIT :limit""")
                .param("job", jobId).param("stage", stage).param("idx", index).param("limit", limit)
                .query((rs, i) -> new ArchivedWorkUnit(rs.getLong("id"), rs.getInt("stage"), rs.getLong("idx"),
                        rs.getString("state"), rs.getDouble("cost"), rs.getBytes("input"),
                        (String[]) rs.getArray("blobs").getArray(), rs.getString("error"),
                        rs.getObject("canonical_result_id", Long.class), instant(rs, "created_at"),
                        instant(rs, "finished_at")))
                .list();
    }

    /** The replicas of the given work units, by work unit and id (index result_wu_host). */
    void replicasOf(List<Long> workUnitIds, Consumer<ArchivedReplica> each) {
        jdbc.sql("""
                        SELECT r.id, r.work_unit_id, r.host_id, r.state, r.credit, r.created_at, r.sent_at,
                               r.reported_at, r.output_hash, r.output_size, r.error_message, r.cpu_time_millis,
                               CASE WHEN w.canonical_result_id = r.id THEN r.output END AS output
                          FROM result r JOIN work_unit w ON w.id = r.work_unit_id
                         WHERE r.work_unit_id = ANY(:ids)
                         ORDER BY r.work_unit_id, r.id""")
                .param("ids", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .query((rs, i) -> {
                    each.accept(new ArchivedReplica(rs.getLong("id"), rs.getLong("work_unit_id"),
                            rs.getObject("host_id", Long.class), rs.getString("state"),
                            rs.getObject("credit", Double.class), instant(rs, "created_at"), instant(rs, "sent_at"),
                            instant(rs, "reported_at"), rs.getString("output_hash"),
                            rs.getObject("output_size", Long.class), rs.getString("error_message"),
                            rs.getObject("cpu_time_millis", Long.class), rs.getBytes("output")));
                    return null;
                })
                .list();
    }

    /**
     * Keeps what the job's view needs on its row, its archive and its replicas' id range, before anything is deleted.
     * A deleted job keeps no archive (one it had is left to the blob collector). Returns false when another
     * coordinator did it first.
     */
    boolean summarize(long jobId, String summaryJson, String archiveBlob, Instant now) {
        return jdbc.sql("""
                        UPDATE job SET summary = CAST(:summary AS jsonb), archived_at = :now,
                                       archive_blob = CASE WHEN deleted_at IS NULL THEN :archive END,
                                       first_result_id = (SELECT min(id) FROM result WHERE job_id = :id),
                                       last_result_id = (SELECT max(id) FROM result WHERE job_id = :id)
                         WHERE id = :id AND summary IS NULL""")
                .param("id", jobId)
                .param("summary", summaryJson)
                .param("archive", archiveBlob, java.sql.Types.VARCHAR)
                .param("now", Timestamp.from(now))
                .update() == 1;
    }

    /** A deleted job that was archived before: it keeps no archive. */
    void dropArchive(long jobId) {
        jdbc.sql("UPDATE job SET archive_blob = NULL WHERE id = :id AND deleted_at IS NOT NULL")
                .param("id", jobId).update();
    }

    /**
     * Locks the job's next {@code limit} work units (in id order, as reports lock them) to delete them with their
     * replicas.
     */
    List<Long> lockBatch(long jobId, int limit) {
        return jdbc.sql("""
                        SELECT id FROM work_unit
                         WHERE id IN (SELECT id FROM work_unit WHERE job_id = :job ORDER BY stage, idx LIMIT :limit)
                         ORDER BY id
                           FOR UPDATE""")
                .param("job", jobId).param("limit", limit).query(Long.class).list();
    }

    /** Deletes the (locked) work units and their replicas; returns the blobs their replicas had produced. */
    List<String> deleteBatch(List<Long> workUnitIds) {
        var ids = SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new));
        List<String> produced = jdbc.sql("""
                        WITH gone AS (DELETE FROM result_blob WHERE work_unit_id = ANY(:ids) RETURNING blob_id)
                        SELECT DISTINCT blob_id FROM gone""")
                .param("ids", ids).query(String.class).list();
        jdbc.sql("DELETE FROM result WHERE work_unit_id = ANY(:ids)").param("ids", ids).update();
        jdbc.sql("DELETE FROM work_unit WHERE id = ANY(:ids)").param("ids", ids).update();
        return produced;
    }

    /**
     * Of the given intermediate blobs, those no replica produces any more and the coordinator does not store: the
     * tracker forgets who holds them, and those hosts are told to drop them ({@code blob_drop}).
     */
    int dropOrphans(List<String> blobIds, Instant now) {
        if (blobIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        WITH orphan AS (SELECT b FROM unnest(:ids) AS b
                                         WHERE NOT EXISTS (SELECT 1 FROM result_blob rb WHERE rb.blob_id = b)
                                           AND NOT EXISTS (SELECT 1 FROM blob s WHERE s.id = b)),
                             forgotten AS (DELETE FROM blob_holder h USING orphan WHERE h.blob_id = orphan.b
                                           RETURNING h.host_id, h.blob_id)
                        INSERT INTO blob_drop (host_id, blob_id, since)
                        SELECT host_id, blob_id, :now FROM forgotten
                        ON CONFLICT DO NOTHING""")
                .param("ids", SqlArrays.of("text", blobIds.toArray(String[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /** The job has no work units left: what else was kept for them goes, and the job is purged. */
    void finish(long jobId, Instant now) {
        jdbc.sql("DELETE FROM job_transfer WHERE job_id = :id").param("id", jobId).update();
        jdbc.sql("DELETE FROM job_blob WHERE job_id = :id").param("id", jobId).update();
        jdbc.sql("UPDATE job SET purged_at = :now, purge_lease = NULL WHERE id = :id AND purged_at IS NULL")
                .param("id", jobId).param("now", Timestamp.from(now)).update();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
