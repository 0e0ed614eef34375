package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The dispatch path's SQL: claiming unsent replicas for a host, and extending leases. */
@Repository
class DispatchQueries {
    private final JdbcClient jdbc;

    DispatchQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** An unsent replica the claim may give away, and the blobs its work unit reads (most read none). */
    record Candidate(long resultId, long workUnitId, String app, List<String> blobs) {
        Candidate withBlobs(List<String> all) {
            return all == blobs ? this : new Candidate(resultId, workUnitId, app, all);
        }
    }

    /**
     * Locks up to {@code scan} unsent replicas of the researcher's (0: the admin's jobs) of the given apps, best
     * priority first, then in slot order (the order they were written in, each moved by a random part: a work unit's
     * replicas are not side by side), skipping rows other transactions hold and work units of which any of the given
     * hosts, or any host of the given volunteers, already has a replica (conservative: such a work unit waits for a
     * batch without that host), or of which a replica was sent after {@code recent} (requests made back to back never
     * share a work unit), or went to a host of one of the given networks.
     *
     * @param volunteerIds the volunteers of the hosts when replicas must go to distinct volunteers; else empty
     * @param networks the networks of the hosts ({@code AuthenticatedHost#network}), those that have one
     */
    List<Candidate> candidates(long researcherId, Long[] hostIds, Long[] volunteerIds, String[] networks,
            String[] apps, Instant recent, int scan) {
        return jdbc.sql("""
                        -- the blobs in the same round trip (the claim's transaction is serial): read only for the
                        -- few candidates that read any, one probe of work_unit's primary key each
                        SELECT c.id, c.work_unit_id, c.app,
                               CASE WHEN c.reads_blobs
                                    THEN (SELECT w.blobs FROM work_unit w WHERE w.id = c.work_unit_id) END AS blobs
                          FROM result c
                         -- the head of one researcher's range of index result_unsent_researcher, in its order
                         WHERE c.state = 'UNSENT'
                           AND c.researcher_id = :researcher
                           AND c.app = ANY(:apps)
                           -- OFFSET 0 keeps this a probe of the candidate's few replicas (index result_wu_host, by
                           -- work unit); as a join PostgreSQL would compare every candidate with every replica the
                           -- hosts ever had
                           AND NOT EXISTS (SELECT 1 FROM result o
                                            WHERE o.work_unit_id = c.work_unit_id
                                              AND (o.host_id = ANY(:hosts) OR o.volunteer_id = ANY(:volunteers)
                                                   OR o.sent_at > :recent OR o.network = ANY(:networks))
                                           OFFSET 0)
                         -- by slot, not id: replicas of one work unit would be adjacent, and back-to-back
                         -- requests would get them all (V66__dispatch_spread.sql)
                         ORDER BY c.priority DESC, c.slot
                         LIMIT :scan
                           FOR UPDATE SKIP LOCKED""")
                .param("researcher", researcherId)
                .param("apps", SqlArrays.of("text", apps))
                .param("hosts", SqlArrays.of("bigint", hostIds))
                .param("volunteers", SqlArrays.of("bigint", volunteerIds))
                .param("networks", SqlArrays.of("text", networks))
                .param("recent", Timestamp.from(recent))
                .param("scan", scan)
                .query((rs, i) -> new Candidate(rs.getLong(1), rs.getLong(2), rs.getString(3), strings(rs.getArray(4))))
                .list();
    }

    /**
     * A researcher with unsent replicas: their share, and the apps of their unfinished jobs (empty when none is: the
     * replicas are of finished jobs, spot checks of their last work units, whose apps are not known here).
     */
    record Waiting(long researcherId, int share, Set<String> apps) {
        /** Those of {@code wanted} the researcher's waiting replicas may be of. */
        Set<String> mayBeOf(Set<String> wanted) {
            Set<String> both = new HashSet<>(wanted);
            if (!apps.isEmpty()) {
                both.retainAll(apps);
            }
            return both;
        }
    }

    /**
     * The researchers with unsent replicas (0: the admin's jobs), found by skipping through index
     * result_unsent_researcher one researcher at a time (a loose index scan: a few probes per researcher, however
     * long the queue), with their shares and the apps their unfinished jobs' replicas may be of (the job's app and
     * its reduce step's: a superset of the apps waiting).
     */
    List<Waiting> waiting() {
        return jdbc.sql("""
                        WITH RECURSIVE waiting(researcher_id) AS (
                            SELECT min(researcher_id) FROM result WHERE state = 'UNSENT'
                            UNION ALL
                            SELECT (SELECT min(r.researcher_id) FROM result r
                                     WHERE r.state = 'UNSENT' AND r.researcher_id > w.researcher_id)
                              FROM waiting w WHERE w.researcher_id IS NOT NULL)
                        SELECT w.researcher_id, coalesce(s.share, 1),
                               ARRAY(SELECT DISTINCT a FROM job j CROSS JOIN unnest(ARRAY[j.app, j.reduce_app]) AS a
                                      -- the few unfinished jobs, through index job_active
                                      WHERE j.state IN ('QUEUED', 'RUNNING')
                                        AND coalesce(j.researcher_id, 0) = w.researcher_id AND a IS NOT NULL) AS apps
                          FROM waiting w LEFT JOIN researcher s ON s.id = w.researcher_id
                         WHERE w.researcher_id IS NOT NULL""")
                .query((rs, i) -> new Waiting(rs.getLong(1), rs.getInt(2),
                        Set.of((String[]) rs.getArray(3).getArray())))
                .list();
    }

    /**
     * Gives locked candidates to hosts (result id to host id, the host's volunteer when replicas must go to
     * distinct volunteers, else null, its network or null, and whether the host is quarantined): leases and deadlines
     * start now.
     */
    List<ClaimedTask> assign(Long[] resultIds, Long[] hostIds, Long[] volunteerIds, String[] networks,
            Boolean[] quarantined, Instant now, Instant leaseUntil) {
        return jdbc.sql("""
                        UPDATE result r
                           SET state = 'IN_PROGRESS', host_id = u.host, volunteer_id = u.volunteer, network = u.network,
                               quarantined = u.quarantined, sent_at = :now, progress = 0, suspended = false,
                               deadline_at = CAST(:now AS timestamptz) + make_interval(secs => j.deadline_seconds),
                               lease_expires_at = LEAST(CAST(:now AS timestamptz) + make_interval(secs => j.deadline_seconds),
                                                        CAST(:leaseUntil AS timestamptz))
                          FROM unnest(:ids, :hosts, :volunteers, :networks, :quarantined)
                                 AS u(id, host, volunteer, network, quarantined),
                               work_unit w, job j
                         WHERE r.id = u.id AND r.state = 'UNSENT' AND w.id = r.work_unit_id AND j.id = r.job_id
                        RETURNING r.id, r.host_id, r.work_unit_id, r.job_id, r.app, w.stage, w.idx, w.input, w.cost,
                                  w.blobs, r.deadline_at, r.lease_expires_at""")
                .param("ids", SqlArrays.of("bigint", resultIds))
                .param("hosts", SqlArrays.of("bigint", hostIds))
                .param("volunteers", SqlArrays.of("bigint", volunteerIds))
                .param("networks", SqlArrays.of("text", networks))
                .param("quarantined", SqlArrays.of("boolean", quarantined))
                .param("now", Timestamp.from(now))
                .param("leaseUntil", Timestamp.from(leaseUntil))
                .query((rs, i) -> new ClaimedTask(rs.getLong("id"), rs.getLong("host_id"), rs.getLong("work_unit_id"),
                        rs.getLong("job_id"), rs.getString("app"), rs.getInt("stage"), rs.getLong("idx"),
                        rs.getBytes("input"), rs.getDouble("cost"), List.of((String[]) rs.getArray("blobs").getArray()),
                        rs.getTimestamp("deadline_at").toInstant(), rs.getTimestamp("lease_expires_at").toInstant(),
                        List.of()))
                .list();
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    /**
     * Returns claimed replicas to the pool (the call that claimed them was cancelled before answering); one that was to
     * stand alone no longer does (its work unit's other replicas were cancelled: its success asks for more).
     */
    int unclaim(long hostId, List<Long> resultIds) {
        return jdbc.sql("""
                        UPDATE result SET state = 'UNSENT', host_id = NULL, volunteer_id = NULL, network = NULL,
                                          quarantined = false,
                                          sent_at = NULL, deadline_at = NULL, lease_expires_at = NULL,
                                          progress = NULL, alone = false
                         WHERE id = ANY(:ids) AND host_id = :host AND state = 'IN_PROGRESS'""")
                .param("ids", SqlArrays.of("bigint", resultIds.toArray(Long[]::new))).param("host", hostId).update();
    }

    /** A job is QUEUED until its first dispatch. */
    List<Long> markRunning(List<Long> jobIds, Instant now) {
        return jdbc.sql("""
                        UPDATE job SET state = 'RUNNING', started_at = :now
                         WHERE id = ANY(:ids) AND state = 'QUEUED' RETURNING id""")
                .param("ids", SqlArrays.of("bigint", jobIds.toArray(Long[]::new))).param("now", Timestamp.from(now))
                .query(Long.class).list();
    }

    /**
     * Records progress of a host's running replicas, and whether each is suspended, and extends their leases
     * (never past the report deadline). Returns the new lease of each replica that is still this host's and in
     * progress.
     */
    Map<Long, Instant> heartbeat(long hostId, Long[] resultIds, Double[] progress, Boolean[] suspended,
            Long[] leaseUntilEpochMillis) {
        return jdbc.sql("""
                        UPDATE result r
                           SET progress = u.progress, suspended = u.suspended,
                               lease_expires_at = LEAST(r.deadline_at,
                                                        TIMESTAMPTZ 'epoch' + u.lease_ms * INTERVAL '1 millisecond')
                          FROM unnest(:ids, :progress, :suspended, :leaseMs) AS u(id, progress, suspended, lease_ms)
                         WHERE r.id = u.id AND r.host_id = :host AND r.state = 'IN_PROGRESS'
                        RETURNING r.id, r.lease_expires_at""")
                .param("ids", SqlArrays.of("bigint", resultIds))
                .param("progress", SqlArrays.of("float8", progress))
                .param("suspended", SqlArrays.of("boolean", suspended))
                .param("leaseMs", SqlArrays.of("bigint", leaseUntilEpochMillis))
                .param("host", hostId)
                .query((rs, i) -> Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
                .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * How many tasks the host holds parked (leased beyond {@code leasedUntil}, which only parking does), other than
     * {@code except}: read through the lease index, whose far end holds only parked tasks.
     */
    int parked(long hostId, Instant leasedUntil, Long[] except) {
        return jdbc.sql("""
                        SELECT count(*) FROM result
                         WHERE state = 'IN_PROGRESS' AND lease_expires_at > :until AND host_id = :host
                           AND id <> ALL(:except)""")
                .param("until", Timestamp.from(leasedUntil)).param("host", hostId)
                .param("except", SqlArrays.of("bigint", except))
                .query(Integer.class).single();
    }

    /** Of the given replicas, those that timed out but whose work unit is still open: a late report may help. */
    List<Long> stillUseful(long hostId, List<Long> resultIds) {
        if (resultIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        SELECT r.id FROM result r JOIN work_unit w ON w.id = r.work_unit_id
                         WHERE r.id = ANY(:ids) AND r.host_id = :host AND r.state = 'TIMED_OUT' AND w.state = 'OPEN'""")
                .param("ids", SqlArrays.of("bigint", resultIds.toArray(Long[]::new))).param("host", hostId)
                .query(Long.class).list();
    }
}
