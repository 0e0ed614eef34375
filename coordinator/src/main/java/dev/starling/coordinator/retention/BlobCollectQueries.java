package dev.starling.coordinator.retention;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The blob collector's SQL (BOINC's file_deleter). A stored blob is referenced while an app version's module is it, a
 * job's archive is it, a line index of a referenced work-unit list is it, a job not yet purged names it in its
 * parameters, or a job not yet purged read it or kept it ({@code job_blob}). One with none of these, stored (or stored
 * again) before the grace period, is collected.
 */
@Repository
class BlobCollectQueries {
    private static final String UNREFERENCED = """
               NOT EXISTS (SELECT 1 FROM app_version v WHERE v.module_blob = b.id)
               AND NOT EXISTS (SELECT 1 FROM job j WHERE j.archive_blob = b.id)
               AND NOT EXISTS (SELECT 1 FROM work_units_index i WHERE i.index_blob = b.id)
               AND NOT EXISTS (SELECT 1 FROM job_blob jb WHERE jb.blob_id = b.id)
               AND NOT EXISTS (SELECT 1 FROM job j WHERE j.purged_at IS NULL AND j.deleted_at IS NULL
                                                     AND strpos(j.params::text, b.id) > 0)""";

    private final JdbcClient jdbc;

    BlobCollectQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Locks up to {@code limit} unreferenced blobs stored before {@code cutoff}, skipping those a submit holds (it
     * share-locks the blobs its job names), then reads which are still unreferenced in a statement of its own: a job
     * committed meanwhile is seen.
     */
    List<String> lockUnreferenced(Instant cutoff, int limit) {
        List<String> locked = jdbc.sql("SELECT b.id FROM blob b WHERE b.created_at <= :cutoff AND " + UNREFERENCED
                        + " ORDER BY b.created_at LIMIT :limit FOR UPDATE OF b SKIP LOCKED")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).query(String.class).list();
        if (locked.isEmpty()) {
            return locked;
        }
        return jdbc.sql("SELECT b.id FROM blob b WHERE b.id = ANY(:ids) AND " + UNREFERENCED)
                .param("ids", SqlArrays.of("text", locked.toArray(String[]::new))).query(String.class).list();
    }

    /**
     * Deletes the (locked) blobs' rows and what hangs on them: uploads, a line index of theirs (its own blob goes at
     * the next pass), and the tracker's holders, who are told to drop them ({@code blob_drop}).
     */
    void delete(List<String> ids, Instant now) {
        var array = SqlArrays.of("text", ids.toArray(String[]::new));
        jdbc.sql("DELETE FROM work_units_index WHERE blob_id = ANY(:ids)").param("ids", array).update();
        jdbc.sql("DELETE FROM blob_upload WHERE blob_id = ANY(:ids)").param("ids", array).update();
        jdbc.sql("""
                        WITH forgotten AS (DELETE FROM blob_holder WHERE blob_id = ANY(:ids) RETURNING host_id, blob_id)
                        INSERT INTO blob_drop (host_id, blob_id, since)
                        SELECT host_id, blob_id, :now FROM forgotten
                        ON CONFLICT DO NOTHING""")
                .param("ids", array).param("now", Timestamp.from(now)).update();
        jdbc.sql("DELETE FROM blob WHERE id = ANY(:ids)").param("ids", array).update();
    }
}
