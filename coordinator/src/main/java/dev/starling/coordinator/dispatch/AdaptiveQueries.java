package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.SqlArrays;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of adaptive replication at claim time ({@link AdaptiveReplication}). */
@Repository
class AdaptiveQueries {
    private final JdbcClient jdbc;

    AdaptiveQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Marks the given replicas (claimed in this transaction) alone and cancels their work units' other unsent
     * replicas, for each whose work unit is open and fresh, is no spot check, whose job allows adaptive replication,
     * and whose other replicas are all unsent (or cancelled) and free to lock. A work unit being re-checked
     * ({@code recheck_hash}: re-opened because an alone result of it was voided, or a convicted host helped validate
     * it) is not fresh: it needs a full quorum of other hosts, and one result alone would be checked by nobody again.
     * One statement. The replicas must be in progress, given in the caller's transaction.
     */
    int standAlone(Long[] resultIds) {
        return jdbc.sql("""
                        WITH mine AS (
                            SELECT r.id, r.work_unit_id FROM result r
                              JOIN work_unit w ON w.id = r.work_unit_id JOIN job j ON j.id = r.job_id
                             WHERE r.id = ANY(:ids) AND NOT r.spot_check AND w.state = 'OPEN' AND w.recheck_hash IS NULL
                               AND j.adaptive),
                        others AS (
                            SELECT o.id, o.work_unit_id, o.state
                              FROM result o JOIN mine m ON m.work_unit_id = o.work_unit_id
                             WHERE o.id <> m.id AND o.state <> 'CANCELLED'),
                        locked AS (
                            SELECT id FROM result
                             WHERE id IN (SELECT id FROM others WHERE state = 'UNSENT') AND state = 'UNSENT'
                               FOR UPDATE SKIP LOCKED),
                        eligible AS (
                            SELECT m.id, m.work_unit_id FROM mine m
                             WHERE NOT EXISTS (SELECT 1 FROM others o
                                                WHERE o.work_unit_id = m.work_unit_id
                                                  AND o.id NOT IN (SELECT id FROM locked))),
                        cancelled AS (
                            UPDATE result SET state = 'CANCELLED'
                             WHERE id IN (SELECT o.id FROM others o JOIN eligible e ON e.work_unit_id = o.work_unit_id)
                            RETURNING id)
                        -- no state filter: the replicas were given in this transaction, so they are in progress;
                        -- with one, PostgreSQL (whose statistics may count no replica in progress) walked every
                        -- replica in progress through index result_lease and compared each with every eligible one
                        UPDATE result SET alone = true
                         WHERE id IN (SELECT id FROM eligible)
                        RETURNING id""")
                .param("ids", SqlArrays.of("bigint", resultIds))
                .query(Long.class).list().size();
    }
}
