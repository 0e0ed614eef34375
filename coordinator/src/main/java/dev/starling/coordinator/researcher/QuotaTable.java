package dev.starling.coordinator.researcher;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL of {@link ResearcherQuotas}: the quota and share columns of {@code researcher}, and what a researcher uses. */
@Repository
class QuotaTable {
    private final JdbcClient jdbc;

    QuotaTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The researcher's limits; {@code lock}: and locks their row until the transaction ends. */
    Optional<ResearcherQuotas.Limits> limits(long researcherId, boolean lock) {
        return jdbc.sql("SELECT quota_queued_work_units, CAST(quota_running_jobs AS bigint), quota_stored_bytes"
                        + " FROM researcher WHERE id = :id" + (lock ? " FOR UPDATE" : ""))
                .param("id", researcherId)
                .query((rs, i) -> new ResearcherQuotas.Limits(rs.getObject(1, Long.class), rs.getObject(2, Long.class),
                        rs.getObject(3, Long.class)))
                .optional();
    }

    Optional<Integer> share(long researcherId) {
        return jdbc.sql("SELECT share FROM researcher WHERE id = :id").param("id", researcherId).query(Integer.class)
                .optional();
    }

    /** Sets the researcher's share and limits; false when there is no such researcher. */
    boolean set(long researcherId, int share, ResearcherQuotas.Limits limits) {
        return jdbc.sql("""
                        UPDATE researcher SET quota_queued_work_units = :queued, quota_running_jobs = :jobs,
                                              quota_stored_bytes = :bytes, share = :share
                         WHERE id = :id""")
                .param("share", share)
                .param("queued", limits.queuedWorkUnits())
                .param("jobs", limits.runningJobs() == null ? null : limits.runningJobs().intValue())
                .param("bytes", limits.storedBytes()).param("id", researcherId).update() > 0;
    }

    /** The researcher's unfinished (queued or running) jobs and their work units. */
    record Unfinished(long workUnits, long jobs) {}

    Unfinished unfinished(long researcherId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(stage_size), 0), count(*) FROM job
                         WHERE researcher_id = :id AND state IN ('QUEUED', 'RUNNING')""")
                .param("id", researcherId)
                .query((rs, i) -> new Unfinished(rs.getLong(1), rs.getLong(2))).single();
    }

    /** Bytes of the blobs the researcher may read. */
    long storedBytes(long researcherId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(b.size), 0) FROM blob_upload u JOIN blob b ON b.id = u.blob_id
                         WHERE u.researcher_id = :id""")
                .param("id", researcherId).query(Long.class).single();
    }

    /** Whether the blob is one the researcher may read already (it counts once). */
    boolean has(long researcherId, String blobId) {
        return jdbc.sql("SELECT count(*) FROM blob_upload WHERE researcher_id = :id AND blob_id = :blob")
                .param("id", researcherId).param("blob", blobId).query(Long.class).single() > 0;
    }
}
