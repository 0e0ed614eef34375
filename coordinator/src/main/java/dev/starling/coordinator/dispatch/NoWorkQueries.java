package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of why a RequestWork got no task ({@link NoWorkReasons}): run only when a call ends empty, never by the
 * claim, and each bounded: one host row by its key, and the head of the dispatch queue through the claim's own index.
 */
@Repository
class NoWorkQueries {
    /** unsent replicas read from the queue's head at most: what the claim looks at first */
    static final int WINDOW = 1_000;
    /** of those, the host's apps' work units whose replicas are read, at most */
    static final int PROBE = 100;

    private final JdbcClient jdbc;

    NoWorkQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * What the reason needs of the host's row, and the reason recorded on it.
     *
     * @param quarantine why it is quarantined; null when it is not
     * @param tasksToday tasks it was sent on the day asked for while quarantined (its quota's use)
     * @param protocol the worker protocol it registered with; null when not recorded
     * @param recorded the reason's code recorded on the row; null when none
     */
    record HostRow(String quarantine, int tasksToday, String workerVersion, Integer protocol, String recorded,
            String recordedMessage) {}

    Optional<HostRow> host(long hostId, LocalDate day) {
        return jdbc.sql("""
                        SELECT CASE WHEN quarantined_at IS NOT NULL THEN coalesce(quarantine_reason, '') END AS quarantine,
                               CASE WHEN quota_day = :day THEN quota_used ELSE 0 END AS used,
                               worker_version, protocol_version, no_work, no_work_message
                          FROM host WHERE id = :id""")
                .param("id", hostId).param("day", Date.valueOf(day))
                .query((rs, i) -> new HostRow(rs.getString("quarantine"), rs.getInt("used"),
                        rs.getString("worker_version"), rs.getObject("protocol_version", Integer.class),
                        rs.getString("no_work"), rs.getString("no_work_message")))
                .optional();
    }

    /**
     * The head of the dispatch queue as one host sees it.
     *
     * @param probed how many of the host's apps' work units at the head were looked at (at most {@link #PROBE})
     * @param own of those, how many have a replica on this host; {@code volunteer}: on another host of its volunteer
     *     (and not this one); {@code network}: on a host of its network (and neither); {@code recent}: one sent
     *     within the replica gap (and none of those)
     * @param others the other apps queued at the head, with how many of their replicas
     */
    record Head(int probed, int own, int volunteer, int network, int recent, Map<String, Long> others) {}

    /**
     * Reads the first {@link #WINDOW} unsent replicas in the order of the claim's index ({@code
     * result_unsent_researcher}: the researchers' queues one after the other, each in the claim's order; whatever their
     * apps: bounded however long the queue) and probes the replicas of up
     * to {@link #PROBE} of those the host's apps have, through {@code result_wu_host}, with the claim's anti-join's
     * terms counted instead of applied.
     *
     * @param volunteerId the host's volunteer when replicas go to distinct volunteers; else null
     * @param network the host's network; null when none counts
     */
    Head head(long hostId, Long volunteerId, String network, String[] apps, Instant recent) {
        Map<String, Long> others = new LinkedHashMap<>();
        int[] mine = new int[5];
        jdbc.sql("""
                        WITH head AS MATERIALIZED (
                            SELECT c.work_unit_id, c.app FROM result c
                             WHERE c.state = 'UNSENT'
                             -- the order of index result_unsent_researcher (researcher, priority, slot): by
                             -- priority and slot alone, no index serves it since fair share, and each empty long poll
                             -- sorted the whole queue (5-7 s at 1.4M unsent, stalling the bench for 20 s)
                             ORDER BY c.researcher_id, c.priority DESC, c.slot
                             LIMIT :window),
                        mine AS (
                            SELECT DISTINCT work_unit_id FROM head WHERE app = ANY(:apps) LIMIT :probe),
                        probed AS (
                            SELECT coalesce(bool_or(o.host_id = :host), false) AS own,
                                   coalesce(bool_or(o.volunteer_id = CAST(:volunteer AS bigint)), false) AS volunteer,
                                   coalesce(bool_or(o.network = CAST(:network AS text)), false) AS network,
                                   coalesce(bool_or(o.sent_at > :recent), false) AS recent
                              FROM mine m JOIN result o ON o.work_unit_id = m.work_unit_id
                             GROUP BY m.work_unit_id)
                        SELECT NULL AS app, count(*) AS n,
                               count(*) FILTER (WHERE own) AS own,
                               count(*) FILTER (WHERE volunteer AND NOT own) AS volunteer,
                               count(*) FILTER (WHERE network AND NOT own AND NOT volunteer) AS network,
                               count(*) FILTER (WHERE recent AND NOT own AND NOT volunteer AND NOT network) AS recent
                          FROM probed
                        UNION ALL
                        SELECT app, count(*), 0, 0, 0, 0 FROM head WHERE NOT (app = ANY(:apps)) GROUP BY app
                         ORDER BY 2 DESC""")
                .param("window", WINDOW)
                .param("probe", PROBE)
                .param("apps", SqlArrays.of("text", apps))
                .param("host", hostId)
                .param("volunteer", volunteerId)
                .param("network", network)
                .param("recent", Timestamp.from(recent))
                .query((RowCallbackHandler) rs -> {
                    String app = rs.getString("app");
                    if (app == null) {
                        mine[0] = rs.getInt("n");
                        mine[1] = rs.getInt("own");
                        mine[2] = rs.getInt("volunteer");
                        mine[3] = rs.getInt("network");
                        mine[4] = rs.getInt("recent");
                    } else {
                        others.put(app, rs.getLong("n"));
                    }
                });
        return new Head(mine[0], mine[1], mine[2], mine[3], mine[4], others);
    }

    /** Records the host's reason (code and words) as of {@code now}. */
    void record(long hostId, String code, String message, Instant now) {
        jdbc.sql("UPDATE host SET no_work = :code, no_work_message = :message, no_work_at = :now WHERE id = :id")
                .param("code", code).param("message", message).param("now", Timestamp.from(now)).param("id", hostId)
                .update();
    }

    /** Forgets the host's reason: it was given tasks. */
    void clear(long hostId) {
        jdbc.sql("UPDATE host SET no_work = NULL, no_work_message = NULL, no_work_at = NULL"
                        + " WHERE id = :id AND no_work IS NOT NULL")
                .param("id", hostId).update();
    }
}
