package dev.starling.coordinator.validation;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of spot checks and of the re-checks a failed one starts ({@link SpotChecks}, {@link Rechecker}). Lock
 * order as in {@link ValidationQueries}: work unit rows first, then their replicas, then hosts and jobs.
 */
@Repository
class SpotCheckQueries {
    private final JdbcClient jdbc;

    SpotCheckQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Adds one spot-check replica to each of the (validated) work units that read no blob but blobs the coordinator
     * stores (a deployed app's module, uploaded inputs): a spot check must not ask peers for intermediate data a
     * finished job may have let go. It goes out ahead of its job's other work
     * (priority + 1), so the work unit it names is one validated moments ago, near the ones hosts are being sent,
     * not an old one a host could tell apart. Returns how many were added.
     */
    int add(List<Long> workUnitIds, Instant now) {
        if (workUnitIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at, reads_blobs, spot_check,
                                            researcher_id)
                        SELECT w.id, w.job_id, c.app, c.priority + 1, :now, cardinality(w.blobs) > 0, true,
                               coalesce(j.researcher_id, 0)
                          FROM work_unit w JOIN result c ON c.id = w.canonical_result_id JOIN job j ON j.id = w.job_id
                         WHERE w.id = ANY(:wus) AND w.state = 'VALIDATED'
                           AND NOT EXISTS (SELECT 1 FROM unnest(w.blobs) AS b(id)
                                            WHERE NOT EXISTS (SELECT 1 FROM blob s WHERE s.id = b.id))""")
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    boolean isSpotCheck(long resultId) {
        return jdbc.sql("SELECT spot_check FROM result WHERE id = :id").param("id", resultId).query(Boolean.class)
                .single();
    }

    /**
     * Convicts a host: convicted and quarantined by the project (only the admin lifts it) from now, or from its first
     * conviction.
     */
    void convict(long hostId, String reason, Instant now) {
        jdbc.sql("""
                        UPDATE host SET convicted_at = coalesce(convicted_at, :now),
                                        quarantined_at = coalesce(quarantined_at, :now), quarantine_manual = true,
                                        quarantine_doubts = true, quarantine_reason = :reason
                         WHERE id = :id""")
                .param("id", hostId).param("now", Timestamp.from(now)).param("reason", reason).update();
    }

    /**
     * Re-checked work units validated again: each whose canonical output differs from the one it had is counted as
     * overturned on its job; none is re-checking any more.
     */
    void revalidated(Collection<Long> workUnitIds, Instant now) {
        if (workUnitIds.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        WITH done AS (
                            UPDATE work_unit w SET recheck_hash = NULL
                              FROM (SELECT w0.id, w0.recheck_hash AS before, r.output_hash AS after
                                      FROM work_unit w0 JOIN result r ON r.id = w0.canonical_result_id
                                     WHERE w0.id = ANY(:wus) AND w0.recheck_hash IS NOT NULL) o
                             WHERE w.id = o.id
                            RETURNING w.job_id, o.before <> o.after AS overturned),
                        counted AS (SELECT job_id, count(*) AS n FROM done WHERE overturned GROUP BY job_id)
                        UPDATE job j SET overturned_work_units = j.overturned_work_units + c.n, overturned_at = :now
                          FROM counted c WHERE j.id = c.job_id""")
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /**
     * Notes when this statement first sees each conviction committed, by the database's clock: every transaction that
     * began before then must end before the conviction's results are listed ({@link #listConvicted}).
     */
    void noteConvictions() {
        jdbc.sql("""
                        UPDATE host SET convicted_seen_at = clock_timestamp()
                         WHERE convicted_at IS NOT NULL AND convicted_seen_at IS NULL""")
                .update();
    }

    /**
     * Lists in the re-checker's work list the work units of the VALID results of each convicted host not listed yet
     * whose conviction was seen before every transaction still open began: one pass over result, once per conviction.
     * A transaction that read the host as not convicted began before the conviction committed, so before it was seen:
     * when none is left, every VALID result of the host is either committed, and found here, or judged by a statement
     * that sees the conviction and lists it ({@link ValidationQueries#setStates}). Call in a transaction begun after
     * {@link #noteConvictions}. Returns the hosts listed.
     */
    List<Long> listConvicted() {
        // the one pass over result (no index leads with host_id); the host rows are locked only after it
        return listOnce(Pass.CONVICTION, """
                INSERT INTO recheck_work_unit (work_unit_id)
                SELECT DISTINCT work_unit_id FROM result WHERE host_id = ANY(:hosts) AND state = 'VALID'
                ON CONFLICT DO NOTHING""");
    }

    /** A pass the re-checker makes once per conviction or quarantine: the host's columns that mark and time it. */
    private enum Pass {
        CONVICTION("convicted_at", "convicted_seen_at", "convicted_scanned_at"),
        QUARANTINE("quarantined_at", "quarantine_seen_at", "quarantine_scanned_at");

        final String marked;
        final String seen;
        final String scanned;

        Pass(String marked, String seen, String scanned) {
            this.marked = marked;
            this.seen = seen;
            this.scanned = scanned;
        }
    }

    /**
     * Makes the passes that are due (seen before every transaction still open began, not made yet): {@code listing},
     * given the hosts as {@code :hosts}, then each host marked as listed, guarded by the time seen (a host released and
     * convicted or quarantined again meanwhile is listed again). Returns the hosts listed.
     */
    private List<Long> listOnce(Pass pass, String listing) {
        record Due(long host, Timestamp seen) {}
        List<Due> due = jdbc.sql("""
                        SELECT h.id, h.%2$s FROM host h
                         WHERE h.%1$s IS NOT NULL AND h.%3$s IS NULL AND h.%2$s IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                            WHERE a.datname = current_database() AND a.backend_type = 'client backend'
                                              AND a.xact_start < h.%2$s)"""
                        .formatted(pass.marked, pass.seen, pass.scanned))
                .query((rs, i) -> new Due(rs.getLong(1), rs.getTimestamp(2))).list();
        if (due.isEmpty()) {
            return List.of();
        }
        Long[] hosts = due.stream().map(Due::host).toArray(Long[]::new);
        jdbc.sql(listing).param("hosts", SqlArrays.of("bigint", hosts)).update();
        return jdbc.sql("""
                        UPDATE host h SET %3$s = clock_timestamp()
                          FROM unnest(:hosts, :seen) AS d(id, seen)
                         WHERE h.id = d.id AND h.%2$s = d.seen AND h.%1$s IS NOT NULL
                        RETURNING h.id""".formatted(pass.marked, pass.seen, pass.scanned))
                .param("hosts", SqlArrays.of("bigint", hosts))
                .param("seen", SqlArrays.of("timestamptz", due.stream().map(Due::seen).toArray(Timestamp[]::new)))
                .query(Long.class).list();
    }

    /**
     * Notes when this statement first sees each quarantine committed, by the database's clock, as
     * {@link #noteConvictions} does for convictions. Not for a convicted host (its conviction's pass lists every work
     * unit of its VALID results), nor for one quarantined when it registered (a banned volunteer's new host has no
     * result: {@code HostTable.insert} marks its quarantine scanned); a host quarantined again after a lift is noted
     * again (the lift clears the marks).
     */
    void noteQuarantines() {
        jdbc.sql("""
                        UPDATE host SET quarantine_seen_at = clock_timestamp()
                         WHERE quarantined_at IS NOT NULL AND quarantine_doubts AND quarantine_seen_at IS NULL
                           AND convicted_at IS NULL""")
                .update();
    }

    /**
     * Lists in the re-checker's work list the work units where a quarantined host not listed yet holds a VALID result
     * that is not alone and no host in good standing holds one (two colluders that won a quorum together, both
     * quarantined now; {@link #voidQuarantinedWins} voids them if they still are when it gets there), for each
     * quarantine seen before every transaction still open began: one pass over result, once per quarantine, never per
     * sweep. Its alone results need no pass: a quarantine for invalid results doubts them all. Why waiting is enough,
     * as for {@link #listConvicted}: a judgement that read the host as in good standing began before the quarantine
     * was seen, so its VALID results are committed when the pass reads; a later one lists the work unit itself
     * ({@link ValidationQueries#setStates}). A work unit whose last host in good standing is quarantined later is
     * found by that host's pass. Call in a transaction begun after {@link #noteQuarantines}. Returns the hosts listed.
     */
    List<Long> listQuarantined() {
        // The one pass, for every quarantine due at once. No index of result leads with host_id (one on every VALID
        // result would cost each validation a write, V77), so this reads all of result_wu_host (host_id is its second
        // column) or result itself, as the planner prefers; each VALID result of the hosts found then costs one probe
        // of result_wu_host by work unit (its other VALID results) and of host by key. The host rows are locked only
        // after it.
        return listOnce(Pass.QUARANTINE, """
                INSERT INTO recheck_work_unit (work_unit_id)
                SELECT DISTINCT r.work_unit_id FROM result r
                 WHERE r.host_id = ANY(:hosts) AND r.state = 'VALID' AND NOT r.alone
                   AND NOT EXISTS (%s)
                ON CONFLICT DO NOTHING""".formatted(IN_GOOD_STANDING));
    }

    /**
     * Up to {@code limit} work units to re-check: those on the work list of convicted hosts' VALID results (every
     * one, also those judged after the conviction: a claim that read its trust before the conviction committed may
     * have sent it a task alone, and until its quarantine is seen everywhere it may form a quorum with another
     * colluder, until the admin releases it) and of work units validated by hosts that are all quarantined now
     * ({@link #listQuarantined}), then those holding a doubted alone result ({@link #voidDoubted}).
     */
    List<Long> suspect(int limit) {
        return jdbc.sql("""
                        (SELECT work_unit_id FROM recheck_work_unit LIMIT :limit)
                        UNION
                        (SELECT r.work_unit_id
                           FROM host_app_trust t JOIN result r ON r.host_id = t.host_id AND r.app = t.app
                          WHERE t.doubted_at IS NOT NULL AND r.alone AND r.state = 'VALID'
                            AND r.reported_at >= coalesce(t.vouched_at, '-infinity')
                            AND r.reported_at <= t.doubted_at
                          LIMIT :limit)
                        LIMIT :limit""")
                .param("limit", limit).query(Long.class).list();
    }

    /**
     * Takes off the work list the (locked) work units being re-checked, and those of the {@code suspect} ones that are
     * gone (purged with their job). Returns those of the locked ones that the end of their stage listed
     * ({@code JobTable.holdUnvouched}): their alone results not vouched for are voided ({@link #voidUnvouched}); a
     * quorum of hosts all quarantined now is voided in any work unit re-checked ({@link #voidQuarantinedWins}).
     */
    List<Long> unlist(List<Long> suspect, Long[] locked) {
        return jdbc.sql("""
                        WITH gone AS (
                            DELETE FROM recheck_work_unit q
                             WHERE q.work_unit_id = ANY(:suspect)
                               AND (q.work_unit_id = ANY(:locked)
                                    OR NOT EXISTS (SELECT 1 FROM work_unit w WHERE w.id = q.work_unit_id))
                            RETURNING q.work_unit_id, q.stage_end)
                        SELECT work_unit_id FROM gone WHERE stage_end AND work_unit_id = ANY(:locked)""")
                .param("suspect", SqlArrays.of("bigint", suspect.toArray(Long[]::new)))
                .param("locked", SqlArrays.of("bigint", locked))
                .query(Long.class).list();
    }

    /**
     * A VALID result of the work unit of {@code r} whose host is in good standing now: not quarantined by a quarantine
     * that doubts (for invalid results, by the admin, or convicted; V80).
     */
    private static final String IN_GOOD_STANDING = """
            SELECT 1 FROM result g JOIN host gh ON gh.id = g.host_id
             WHERE g.work_unit_id = r.work_unit_id AND g.state = 'VALID' AND NOT gh.quarantine_doubts""";

    /**
     * The statement that voids the VALID results {@code r} of the work units {@code :wus} that {@code where} picks
     * (joined with {@code from}): CANCELLED, their valid counts and credit taken back through {@code host_tally}, not
     * counted as invalid (they are not known to be wrong). It returns the work units in which one was.
     */
    private static String voiding(String from, String where) {
        return """
                WITH voided AS (
                    UPDATE result r SET state = 'CANCELLED'
                      FROM %s
                     WHERE r.work_unit_id = ANY(:wus) AND r.state = 'VALID' AND %s
                    RETURNING r.work_unit_id, r.host_id, r.credit),
                tallied AS (
                    INSERT INTO host_tally (host_id, valid, credit)
                    SELECT host_id, -count(*), -coalesce(sum(credit), 0) FROM voided GROUP BY host_id)
                SELECT DISTINCT work_unit_id FROM voided""".formatted(from, where);
    }

    /**
     * In the (locked) work units, listed at the end of their stage ({@code JobTable.holdUnvouched}), the alone results
     * still VALID and still not vouched for (reported from their host's {@code vouched_at} on: a spot check passed
     * since the listing vouches for them after all) are voided as doubted ones are: CANCELLED, their valid counts and
     * credit taken back, not counted as invalid, so that the work unit is re-opened for a full quorum of other hosts.
     * Only while their job runs: a cancelled or failed job is not re-computed. Returns the work units in which one was.
     */
    List<Long> voidUnvouched(List<Long> workUnitIds) {
        if (workUnitIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(voiding("job j", """
                r.alone AND j.id = r.job_id AND j.state IN ('QUEUED', 'RUNNING')
                AND r.reported_at >= coalesce((SELECT t.vouched_at FROM host_app_trust t
                                                WHERE t.host_id = r.host_id AND t.app = r.app), '-infinity')"""))
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new))).query(Long.class).list();
    }

    /**
     * In the (locked) work units, the alone results that are doubted (reported since their host was last vouched for
     * and up to its last invalid result for the app, {@code HostTrustTable.checked}) are voided: CANCELLED, their
     * valid counts and credit taken back, not counted as invalid (they are not known to be wrong), so that the work
     * unit is re-opened for a full quorum of other hosts. Returns the work units in which one was.
     */
    List<Long> voidDoubted(Long[] workUnitIds) {
        return jdbc.sql(voiding("host_app_trust t", """
                r.alone AND t.host_id = r.host_id AND t.app = r.app AND t.doubted_at IS NOT NULL
                AND r.reported_at >= coalesce(t.vouched_at, '-infinity') AND r.reported_at <= t.doubted_at"""))
                .param("wus", SqlArrays.of("bigint", workUnitIds)).query(Long.class).list();
    }

    /**
     * In the (locked) work units, the VALID results of a group whose hosts are all quarantined now (for invalid
     * results, or by the admin) are voided as doubted ones are: two colluders that won a replicated quorum together
     * were both in good standing then, and a quarantine for invalid results doubts only the results a host had
     * accepted alone. A group that still holds a host in good standing stands; so the last of the two quarantined
     * re-opens it (its quarantine's pass lists the work unit, {@link #listQuarantined}). Convicted hosts' results are
     * INVALID by then ({@link #invalidateConvicted} runs first). Returns the work units in which it voided any.
     */
    List<Long> voidQuarantinedWins(Long[] workUnitIds) {
        return jdbc.sql(voiding("host h", "h.id = r.host_id AND h.quarantine_doubts AND NOT EXISTS ("
                + IN_GOOD_STANDING + ")"))
                .param("wus", SqlArrays.of("bigint", workUnitIds)).query(Long.class).list();
    }

    /**
     * Forgets the doubts whose alone results are all re-checked. Guarded by the doubt's time: a host doubted again
     * meanwhile (by a transaction this statement's snapshot does not see) keeps its doubt.
     */
    void settleDoubts() {
        jdbc.sql("""
                        WITH settled AS (
                            SELECT t.host_id, t.app, t.doubted_at FROM host_app_trust t
                             WHERE t.doubted_at IS NOT NULL
                               AND NOT EXISTS (SELECT 1 FROM result r
                                                WHERE r.host_id = t.host_id AND r.app = t.app AND r.alone
                                                  AND r.state = 'VALID'
                                                  AND r.reported_at >= coalesce(t.vouched_at, '-infinity')
                                                  AND r.reported_at <= t.doubted_at))
                        UPDATE host_app_trust t SET doubted_at = NULL
                          FROM settled s
                         WHERE t.host_id = s.host_id AND t.app = s.app AND t.doubted_at = s.doubted_at""")
                .update();
    }

    /**
     * In the (locked) work units, convicted hosts' VALID results become INVALID, and their hosts' counts say so (a
     * valid result and its credit taken back, an invalid one added, through {@code host_tally}). Returns the work
     * units in which one was.
     */
    List<Long> invalidateConvicted(Long[] workUnitIds) {
        return jdbc.sql("""
                        WITH voided AS (
                            UPDATE result r SET state = 'INVALID'
                              FROM host h
                             WHERE r.work_unit_id = ANY(:wus) AND r.state = 'VALID' AND h.id = r.host_id
                               AND h.convicted_at IS NOT NULL
                            RETURNING r.work_unit_id, r.host_id, r.credit),
                        tallied AS (
                            INSERT INTO host_tally (host_id, valid, invalid, credit)
                            SELECT host_id, -count(*), count(*), -coalesce(sum(credit), 0) FROM voided GROUP BY host_id)
                        SELECT DISTINCT work_unit_id FROM voided""")
                .param("wus", SqlArrays.of("bigint", workUnitIds)).query(Long.class).list();
    }

    /**
     * Re-opens those of the (locked) work units that are validated and whose jobs are not over or SUCCEEDED: the
     * results still VALID that agree with the canonical output by hash become INCONCLUSIVE with that output, those
     * that agreed only by the app's equivalence (their bytes are gone) CANCELLED, their hosts' valid counts and credit
     * taken back (they are judged again); the canonical output's hash is kept in {@code recheck_hash}. Its
     * {@code max_results} becomes the results it holds (not cancelled) plus its job's {@code maxResults}: what the
     * re-check voided (a convicted host's results, INVALID now), the spot checks and the results judged against the
     * old canonical output still count in its total, and without a bound of its own again a work unit re-checked
     * once or twice would fail on {@code maxResults} for what colluders did, failing its job. The bound still holds
     * per round: each re-opening needs a conviction or a doubt. Returns each work unit re-opened with its new
     * {@code max_results}.
     */
    Map<Long, Integer> reopen(Collection<Long> workUnitIds) {
        Map<Long, Integer> reopened = new HashMap<>();
        jdbc.sql("""
                        WITH reopen AS (
                            SELECT w.id, c.output_hash AS hash, c.output, j.max_results
                              FROM work_unit w JOIN job j ON j.id = w.job_id
                              JOIN result c ON c.id = w.canonical_result_id
                             WHERE w.id = ANY(:wus) AND w.state = 'VALIDATED'
                               AND j.state IN ('QUEUED', 'RUNNING', 'SUCCEEDED')),
                        agreeing AS (
                            UPDATE result r SET state = 'INCONCLUSIVE', output = o.output
                              FROM reopen o
                             WHERE r.work_unit_id = o.id AND r.state = 'VALID' AND r.output_hash = o.hash
                            RETURNING r.host_id, r.credit),
                        equivalent AS (
                            UPDATE result r SET state = 'CANCELLED'
                              FROM reopen o
                             WHERE r.work_unit_id = o.id AND r.state = 'VALID' AND r.output_hash <> o.hash
                            RETURNING r.host_id, r.credit, r.work_unit_id),
                        -- judged again when the work unit is validated again: their valid results and credit are
                        -- taken back from their hosts' counts until then, so nothing is counted twice
                        untallied AS (
                            INSERT INTO host_tally (host_id, valid, credit)
                            SELECT host_id, -count(*), -coalesce(sum(credit), 0)
                              FROM (SELECT host_id, credit FROM agreeing
                                    UNION ALL SELECT host_id, credit FROM equivalent) u GROUP BY host_id),
                        -- the results it holds: this statement's snapshot does not see those cancelled just above
                        held AS (
                            SELECT o.id, (SELECT count(*) FROM result r
                                           WHERE r.work_unit_id = o.id AND r.state <> 'CANCELLED')
                                         - (SELECT count(*) FROM equivalent e WHERE e.work_unit_id = o.id) AS n
                              FROM reopen o)
                        UPDATE work_unit w SET state = 'OPEN', canonical_result_id = NULL, finished_at = NULL,
                                               recheck_hash = o.hash, max_results = h.n + o.max_results
                          FROM reopen o JOIN held h ON h.id = o.id WHERE w.id = o.id
                        RETURNING w.id, w.max_results""")
                .param("wus", SqlArrays.of("bigint", workUnitIds.toArray(Long[]::new)))
                .query((rs, i) -> reopened.put(rs.getLong(1), rs.getInt(2))).list();
        return reopened;
    }

    /**
     * Counts {@code count} re-opened work units (among {@code workUnitIds}) on their job; a SUCCEEDED job without a
     * reduce step whose re-opened work units are all of its last stage runs again, to be assimilated again (one
     * whose earlier stages are re-checked keeps its result: its later stages were computed from the old outputs).
     */
    void jobRechecked(long jobId, long count, Long[] workUnitIds) {
        jdbc.sql("""
                        WITH again AS (
                            SELECT j.state = 'SUCCEEDED' AND j.reduce_app IS NULL
                                   AND NOT EXISTS (SELECT 1 FROM work_unit w
                                                    WHERE w.id = ANY(:wus) AND w.job_id = j.id AND w.stage < j.stage)
                                   AS runs
                              FROM job j WHERE j.id = :job)
                        UPDATE job j
                           SET rechecked_work_units = j.rechecked_work_units + :n,
                               state = CASE WHEN a.runs THEN 'RUNNING' ELSE j.state END,
                               finished_at = CASE WHEN a.runs THEN NULL ELSE j.finished_at END
                          FROM again a WHERE j.id = :job""")
                .param("job", jobId).param("n", count).param("wus", SqlArrays.of("bigint", workUnitIds)).update();
    }
}
