package dev.starling.coordinator.host;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.SqlArrays;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of a host's standing: judgements folded into its counters and rolling counts, quarantine entered and
 * lifted by those counts or by the admin, bans, and the daily task quota of quarantined hosts.
 */
@Repository
public class HostStanding {
    private final JdbcClient jdbc;
    private final StarlingProperties.Reliability settings;
    private final StarlingProperties.Trust trust;

    HostStanding(JdbcClient jdbc, StarlingProperties properties) {
        this.jdbc = jdbc;
        this.settings = properties.reliability();
        this.trust = properties.trust();
    }

    /** The day quotas are counted in (UTC). */
    public static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    /**
     * One host's tally rows folded: how many, and whether this fold quarantined it ({@code entered}) or lifted
     * its quarantine ({@code left}), and why it is quarantined now.
     */
    record Folded(long hostId, long rows, boolean entered, boolean left, String reason) {}

    /**
     * Moves up to {@code limit} tally rows into the host rows in one statement: adds them to the counters and
     * credit, decays the rolling counts by one {@code 1 - 1/window} per result and adds them, and quarantines a
     * host whose rolling invalid or error rate reached its threshold (with at least {@code min-results} results
     * worth of evidence; one quarantined for invalid results has every result it had accepted alone re-checked:
     * {@code host_app_trust.doubted_at}, its vouches forgotten)
     * or lifts an automatic quarantine once both rates are below half their thresholds. The host's daily task limit
     * ({@code daily_tasks}) is halved when the rows hold an invalid, error or timed-out result, down to
     * {@code daily-tasks-least}, then grows by {@code daily-tasks-per-valid} per valid result. Tally rows another
     * transaction is folding are skipped, so coordinators never fold a row twice; host rows are locked in id order
     * before they are read, so two folds of one host's rows (on two coordinators) add up.
     */
    List<Folded> fold(int limit, Instant now) {
        return jdbc.sql("""
                        WITH taken AS (
                            DELETE FROM host_tally
                             WHERE ctid = ANY(ARRAY(SELECT ctid FROM host_tally LIMIT :limit FOR UPDATE SKIP LOCKED))
                            RETURNING *),
                        sums AS (
                            SELECT host_id, sum(valid) AS valid, sum(invalid) AS invalid, sum(errors) AS errors,
                                   sum(timed_out) AS timed_out, sum(credit) AS credit, count(*) AS folded
                              FROM taken GROUP BY host_id),
                        -- the volunteer's credit history: daily totals, counted in the transaction that folds them
                        daily AS (
                            INSERT INTO host_credit_day AS d (host_id, day, valid, credit)
                            SELECT host_id, :day, valid, credit FROM sums WHERE valid > 0 OR credit > 0
                            ON CONFLICT (host_id, day) DO UPDATE
                               SET valid = d.valid + EXCLUDED.valid, credit = d.credit + EXCLUDED.credit),
                        locked AS (
                            SELECT id, recent_valid, recent_invalid, recent_errors, recent_timed_out, quarantined_at,
                                   quarantine_manual
                              FROM host WHERE id IN (SELECT host_id FROM sums) ORDER BY id FOR UPDATE),
                        rolled AS (
                            SELECT s.*, l.quarantined_at AS was, l.quarantine_manual AS manual,
                                   greatest(0, l.recent_valid * d.d + s.valid) AS rv,
                                   greatest(0, l.recent_invalid * d.d + s.invalid) AS ri,
                                   greatest(0, l.recent_errors * d.d + s.errors) AS re,
                                   greatest(0, l.recent_timed_out * d.d + s.timed_out) AS rt
                              FROM sums s JOIN locked l ON l.id = s.host_id
                             -- only results added age the older ones: a re-check taking back voided valid results
                             -- (negative counts) must not make them weigh more (a decay to a negative power)
                             CROSS JOIN LATERAL (SELECT power(CAST(:decay AS float8),
                                                              greatest(s.valid, 0) + greatest(s.invalid, 0)
                                                              + greatest(s.errors, 0) + greatest(s.timed_out, 0)) AS d) d),
                        judged AS (
                            SELECT r.*,
                                   CASE WHEN r.rv + r.ri >= :minEvidence AND r.ri >= :invalidRate * (r.rv + r.ri)
                                        THEN format('%s%% of its recent results were invalid',
                                                    round(100 * r.ri / (r.rv + r.ri)))
                                        WHEN r.rv + r.ri + r.re + r.rt >= :minEvidence
                                             AND r.re + r.rt >= :errorRate * (r.rv + r.ri + r.re + r.rt)
                                        THEN format('%s%% of its recent results were errors or timed out',
                                                    round(100 * (r.re + r.rt) / (r.rv + r.ri + r.re + r.rt)))
                                   END AS bad,
                                   (r.ri = 0 OR r.ri < :invalidRate / 2 * (r.rv + r.ri))
                                       AND (r.re + r.rt = 0 OR r.re + r.rt < :errorRate / 2 * (r.rv + r.ri + r.re + r.rt))
                                       AS recovered,
                                   r.rv + r.ri >= :minEvidence AND r.ri >= :invalidRate * (r.rv + r.ri) AS lying
                              FROM rolled r),
                        -- quarantined for invalid results: every result it had accepted alone is doubted, vouched
                        -- for or not (a colluder partner may have vouched), and re-checked (Rechecker)
                        unvouched AS (
                            UPDATE host_app_trust t SET vouched_at = NULL, doubted_at = CAST(:now AS timestamptz)
                              FROM judged j WHERE t.host_id = j.host_id AND j.was IS NULL AND j.lying)
                        UPDATE host h
                           SET valid_count = h.valid_count + j.valid, invalid_count = h.invalid_count + j.invalid,
                               error_count = h.error_count + j.errors, timeout_count = h.timeout_count + j.timed_out,
                               credit = h.credit + j.credit,
                               daily_tasks = least(1000000000, greatest(CAST(:dailyLeast AS integer),
                                   CASE WHEN j.invalid + j.errors + j.timed_out > 0
                                        THEN coalesce(h.daily_tasks, :dailyTasks) / 2
                                        ELSE coalesce(h.daily_tasks, :dailyTasks) END)
                                   + CAST(:perValid AS bigint) * greatest(j.valid, 0)),
                               recent_valid = j.rv, recent_invalid = j.ri, recent_errors = j.re, recent_timed_out = j.rt,
                               quarantined_at = CASE WHEN j.was IS NULL AND j.bad IS NOT NULL THEN CAST(:now AS timestamptz)
                                                     WHEN j.was IS NOT NULL AND NOT j.manual AND j.recovered THEN NULL
                                                     ELSE h.quarantined_at END,
                               quarantine_reason = CASE WHEN j.was IS NULL AND j.bad IS NOT NULL THEN j.bad
                                                        WHEN j.was IS NOT NULL AND NOT j.manual AND j.recovered THEN NULL
                                                        ELSE h.quarantine_reason END,
                               -- a lifted quarantine's pass is forgotten: the next one gets its own
                               -- (SpotCheckQueries.listQuarantined)
                               -- quarantined for its invalid rate, it doubts what the host validated; for errors or
                               -- timeouts (a flaky machine, a coordinator that was down) it does not (V80)
                               quarantine_doubts = CASE WHEN j.was IS NOT NULL AND NOT j.manual AND j.recovered
                                                        THEN false ELSE h.quarantine_doubts OR j.lying END,
                               quarantine_seen_at = CASE WHEN j.was IS NOT NULL AND NOT j.manual AND j.recovered
                                                         THEN NULL ELSE h.quarantine_seen_at END,
                               quarantine_scanned_at = CASE WHEN j.was IS NOT NULL AND NOT j.manual AND j.recovered
                                                            THEN NULL ELSE h.quarantine_scanned_at END
                          FROM judged j WHERE h.id = j.host_id
                        RETURNING h.id, j.folded, j.was IS NOT NULL AS was, h.quarantined_at IS NOT NULL AS now_in,
                                  h.quarantine_reason""")
                .param("limit", limit)
                .param("decay", settings.decay())
                .param("minEvidence", settings.minEvidence())
                .param("invalidRate", settings.quarantineInvalidRate())
                .param("errorRate", settings.quarantineErrorRate())
                .param("dailyTasks", trust.dailyTasks())
                .param("dailyLeast", trust.dailyTasksLeast())
                .param("perValid", trust.dailyTasksPerValid())
                .param("now", Timestamp.from(now))
                .param("day", java.sql.Date.valueOf(day(now)))
                .query((rs, i) -> new Folded(rs.getLong("id"), rs.getLong("folded"),
                        !rs.getBoolean("was") && rs.getBoolean("now_in"), rs.getBoolean("was") && !rs.getBoolean("now_in"),
                        rs.getString("quarantine_reason")))
                .list();
    }

    /** Bans a host (a banned host stays banned as it was, with the new reason); false when there is no such host. */
    boolean ban(long hostId, String reason, Instant now) {
        return jdbc.sql("UPDATE host SET banned_at = coalesce(banned_at, :now), ban_reason = :reason WHERE id = :id")
                .param("id", hostId).param("reason", reason).param("now", Timestamp.from(now)).update() == 1;
    }

    boolean unban(long hostId) {
        return jdbc.sql("UPDATE host SET banned_at = NULL, ban_reason = NULL WHERE id = :id").param("id", hostId)
                .update() == 1;
    }

    /** Quarantines a host by the admin's decision: only the admin lifts it. */
    boolean quarantine(long hostId, String reason, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET quarantined_at = coalesce(quarantined_at, :now), quarantine_reason = :reason,
                                        quarantine_manual = true, quarantine_doubts = true
                         WHERE id = :id""")
                .param("id", hostId).param("reason", reason).param("now", Timestamp.from(now)).update() == 1;
    }

    /**
     * Lifts a quarantine and gives the host a fresh start: its rolling counts begin again from nothing, and a
     * conviction (a failed spot check) is forgiven: its valid results are no longer re-checked. A later quarantine
     * gets its own pass over the host's results ({@code SpotCheckQueries.listQuarantined}).
     */
    boolean release(long hostId) {
        return jdbc.sql("""
                        UPDATE host SET quarantined_at = NULL, quarantine_reason = NULL, quarantine_manual = false,
                                        convicted_at = NULL, convicted_seen_at = NULL, convicted_scanned_at = NULL,
                                        quarantine_seen_at = NULL, quarantine_scanned_at = NULL, quarantine_doubts = false,
                                        recent_valid = 0, recent_invalid = 0, recent_errors = 0, recent_timed_out = 0
                         WHERE id = :id""")
                .param("id", hostId).update() == 1;
    }

    /**
     * For those of the hosts that are quarantined: how many tasks each may still get on {@code day}. Their rows
     * stay locked until the caller's transaction ends, so two claims for one host cannot both spend its quota.
     */
    public Map<Long, Integer> quotaLeft(Long[] hostIds, LocalDate day) {
        Map<Long, Integer> left = new HashMap<>();
        jdbc.sql("""
                        SELECT id, CASE WHEN quota_day = :day THEN quota_used ELSE 0 END AS used
                          FROM host WHERE id = ANY(:ids) AND quarantined_at IS NOT NULL ORDER BY id FOR UPDATE""")
                .param("ids", SqlArrays.of("bigint", hostIds)).param("day", Date.valueOf(day))
                .query((rs, i) -> left.put(rs.getLong("id"),
                        Math.max(0, settings.quarantineTasksPerDay() - rs.getInt("used"))))
                .list();
        return left;
    }

    /** Counts tasks given to quarantined hosts on {@code day} against their quota (host id to tasks). */
    public void spendQuota(Map<Long, Integer> tasks, LocalDate day) {
        if (tasks.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        UPDATE host h
                           SET quota_used = CASE WHEN h.quota_day = :day THEN h.quota_used ELSE 0 END + u.n, quota_day = :day
                          FROM unnest(:ids, :counts) AS u(id, n) WHERE h.id = u.id""")
                .param("ids", SqlArrays.of("bigint", tasks.keySet().toArray(Long[]::new)))
                .param("counts", SqlArrays.of("integer", tasks.values().toArray(Integer[]::new)))
                .param("day", Date.valueOf(day))
                .update();
    }
}
