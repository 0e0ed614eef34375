package dev.starling.coordinator.host;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of adaptive replication's trust: each host's run of consecutive valid results per app
 * ({@code host_app_trust}). Validation adds to the runs and ends them; the claim reads them for the hosts it serves.
 */
@Repository
public class HostTrustTable {
    private final JdbcClient jdbc;

    HostTrustTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * What a batch of judgements did to one host's run for one app: {@code valid} valid results after the last of
     * the batch's invalid, error or timed-out ones, and whether there was such a one ({@code ended}).
     */
    public record Change(long hostId, String app, boolean ended, int valid) {}

    /**
     * Adds the changes in one statement: an ended run starts again from the valid results after its end. Rows are
     * written in (host, app) order, so two batches touching the same hosts lock them in one order.
     */
    public void record(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<Change> sorted = changes.stream()
                .sorted(Comparator.comparingLong(Change::hostId).thenComparing(Change::app)).toList();
        jdbc.sql("""
                        INSERT INTO host_app_trust AS t (host_id, app, consecutive_valid, resets)
                        SELECT u.host, u.app, u.valid, CASE WHEN u.ended THEN 1 ELSE 0 END
                          FROM unnest(:hosts, :apps, :ended, :valid) WITH ORDINALITY AS u(host, app, ended, valid, n)
                         ORDER BY u.n
                        ON CONFLICT (host_id, app) DO UPDATE
                           SET consecutive_valid = CASE WHEN EXCLUDED.resets > 0 THEN EXCLUDED.consecutive_valid
                                                        ELSE t.consecutive_valid + EXCLUDED.consecutive_valid END,
                               resets = t.resets + EXCLUDED.resets""")
                .param("hosts", SqlArrays.of("bigint", sorted.stream().map(Change::hostId).toArray(Long[]::new)))
                .param("apps", SqlArrays.of("text", sorted.stream().map(Change::app).toArray(String[]::new)))
                .param("ended", SqlArrays.of("boolean", sorted.stream().map(Change::ended).toArray(Boolean[]::new)))
                .param("valid", SqlArrays.of("integer", sorted.stream().map(Change::valid).toArray(Integer[]::new)))
                .update();
    }

    /** Of the given hosts, those with a run of at least {@code least} for an app: host id to app to run length. */
    public Map<Long, Map<String, Integer>> trusted(Long[] hostIds, int least) {
        Map<Long, Map<String, Integer>> runs = new HashMap<>();
        jdbc.sql("""
                        SELECT host_id, app, consecutive_valid FROM host_app_trust
                         WHERE host_id = ANY(:hosts) AND consecutive_valid >= :least""")
                .param("hosts", SqlArrays.of("bigint", hostIds)).param("least", least)
                .query((rs, i) -> runs.computeIfAbsent(rs.getLong(1), h -> new HashMap<>())
                        .put(rs.getString(2), rs.getInt(3)))
                .list();
        return runs;
    }

    /**
     * What others' results said of hosts' results just judged, in one statement: each result in {@code vouching}
     * (a spot check judged valid against its work unit's known answer; not a replicated task that agreed with its
     * partner, who may be a colluder) vouches for the alone results its host reported for the app before it was sent
     * ({@code vouched_at}); each
     * (host, app) in {@code doubted} had a result judged invalid, which doubts its alone results not vouched for
     * ({@code doubted_at}: the re-checker re-opens them). While a doubt waits for the re-checker, vouches are not
     * written: one would move {@code vouched_at} past the doubted alone results not yet re-checked, and they would
     * stand (a quarantined turncoat's, vouched for by another turncoat after its quarantine had cleared
     * {@code vouched_at}). Rows in (host, app) order, as {@link #record}.
     */
    public void checked(Collection<Long> vouching, Collection<Map.Entry<Long, String>> doubted, Instant now) {
        if (vouching.isEmpty() && doubted.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO host_app_trust AS t (host_id, app, vouched_at, doubted_at)
                        SELECT host_id, app, max(vouched), max(doubted)
                          FROM (SELECT r.host_id, r.app, r.sent_at AS vouched, NULL::timestamptz AS doubted
                                  FROM result r WHERE r.id = ANY(:vouching) AND r.host_id IS NOT NULL
                                UNION ALL
                                SELECT d.host, d.app, NULL, CAST(:now AS timestamptz) FROM unnest(:hosts, :apps) AS d(host, app)) c
                         GROUP BY host_id, app ORDER BY host_id, app
                        ON CONFLICT (host_id, app) DO UPDATE
                           SET vouched_at = CASE WHEN t.doubted_at IS NULL
                                                 THEN greatest(t.vouched_at, EXCLUDED.vouched_at)
                                                 ELSE t.vouched_at END,
                               doubted_at = coalesce(EXCLUDED.doubted_at, t.doubted_at)""")
                .param("vouching", SqlArrays.of("bigint", vouching.toArray(Long[]::new)))
                .param("hosts", SqlArrays.of("bigint", doubted.stream().map(Map.Entry::getKey).toArray(Long[]::new)))
                .param("apps", SqlArrays.of("text", doubted.stream().map(Map.Entry::getValue).toArray(String[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /** Ends every run of the host (it failed a spot check). */
    public void end(long hostId) {
        jdbc.sql("UPDATE host_app_trust SET consecutive_valid = 0, resets = resets + 1 WHERE host_id = :host")
                .param("host", hostId).update();
    }
}
