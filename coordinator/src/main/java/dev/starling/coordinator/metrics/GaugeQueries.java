package dev.starling.coordinator.metrics;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The gauges' one statement: counts of hosts, replicas and jobs at one moment. */
@Repository
class GaugeQueries {
    private final JdbcClient jdbc;

    GaugeQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The figures now; active hosts are those heard from after {@code activeSince}. */
    DomainMeters.Snapshot snapshot(Instant activeSince) {
        return jdbc.sql("""
                        SELECT (SELECT count(*) FROM host WHERE last_contact_at > :since) AS active,
                               (SELECT count(*) FROM host WHERE quarantined_at IS NOT NULL) AS quarantined,
                               (SELECT count(*) FROM host WHERE banned_at IS NOT NULL) AS banned,
                               (SELECT count(*) FROM result WHERE state = 'UNSENT') AS unsent,
                               (SELECT count(*) FROM result WHERE state = 'IN_PROGRESS') AS in_progress,
                               (SELECT count(*) FROM job WHERE state IN ('QUEUED', 'RUNNING')) AS jobs""")
                .param("since", Timestamp.from(activeSince))
                .query((rs, i) -> new DomainMeters.Snapshot(rs.getLong("active"), rs.getLong("quarantined"),
                        rs.getLong("banned"), rs.getLong("unsent"), rs.getLong("in_progress"), rs.getLong("jobs")))
                .single();
    }
}
