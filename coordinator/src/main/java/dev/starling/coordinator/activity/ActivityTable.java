package dev.starling.coordinator.activity;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL on {@code job_activity} (work units decided and results judged, per job, stage and minute) and its
 * append-only {@code job_activity_tally}. Every read adds the rows not yet folded, so it is exact at every moment.
 */
@Repository
public class ActivityTable {
    private static final String COUNTS = "validated, failed, valid, invalid, errors, timed_out";
    /** folded and unfolded rows alike */
    private static final String ALL_ROWS = "(SELECT job_id, stage, minute, " + COUNTS + " FROM job_activity"
            + " UNION ALL SELECT job_id, stage, minute, " + COUNTS + " FROM job_activity_tally)";

    private final JdbcClient jdbc;

    ActivityTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Appends what a transaction did, in one statement (in the caller's transaction), under the minute of {@code now}. */
    public void record(ActivityTally tally, Instant now) {
        if (tally.isEmpty()) {
            return;
        }
        int n = tally.counts.size();
        Long[] jobs = new Long[n];
        Integer[] stages = new Integer[n];
        Integer[][] counts = new Integer[6][n];
        int i = 0;
        for (Map.Entry<ActivityTally.Key, ActivityTally.Counts> e : tally.counts.entrySet()) {
            ActivityTally.Counts c = e.getValue();
            jobs[i] = e.getKey().jobId();
            stages[i] = e.getKey().stage();
            counts[0][i] = c.validated;
            counts[1][i] = c.failed;
            counts[2][i] = c.valid;
            counts[3][i] = c.invalid;
            counts[4][i] = c.errors;
            counts[5][i] = c.timedOut;
            i++;
        }
        jdbc.sql("INSERT INTO job_activity_tally (job_id, stage, minute, " + COUNTS + ")"
                        + " SELECT u.job, u.stage, :minute, u.validated, u.failed, u.valid, u.invalid, u.errors, u.timed_out"
                        + " FROM unnest(:jobs, :stages, :validated, :failed, :valid, :invalid, :errors, :timedOut)"
                        + " AS u(job, stage, validated, failed, valid, invalid, errors, timed_out)")
                .param("minute", Timestamp.from(minute(now)))
                .param("jobs", SqlArrays.of("bigint", jobs))
                .param("stages", SqlArrays.of("integer", stages))
                .param("validated", SqlArrays.of("integer", counts[0]))
                .param("failed", SqlArrays.of("integer", counts[1]))
                .param("valid", SqlArrays.of("integer", counts[2]))
                .param("invalid", SqlArrays.of("integer", counts[3]))
                .param("errors", SqlArrays.of("integer", counts[4]))
                .param("timedOut", SqlArrays.of("integer", counts[5]))
                .update();
    }

    /**
     * Moves up to {@code limit} tally rows into {@code job_activity} in one statement; returns how many it moved.
     * Rows another transaction is folding are skipped, so coordinators never fold a row twice; the upserts run in
     * key order, so two folds never wait for each other in a cycle.
     */
    int fold(int limit) {
        return jdbc.sql("""
                        WITH taken AS (
                            DELETE FROM job_activity_tally
                             WHERE ctid = ANY(ARRAY(SELECT ctid FROM job_activity_tally LIMIT :limit FOR UPDATE SKIP LOCKED))
                            RETURNING *),
                        folded AS (
                            INSERT INTO job_activity AS a (job_id, stage, minute, validated, failed, valid, invalid,
                                                           errors, timed_out)
                            SELECT job_id, stage, minute, sum(validated), sum(failed), sum(valid), sum(invalid),
                                   sum(errors), sum(timed_out)
                              FROM taken GROUP BY job_id, stage, minute ORDER BY job_id, stage, minute
                            ON CONFLICT (job_id, stage, minute) DO UPDATE
                               SET validated = a.validated + excluded.validated, failed = a.failed + excluded.failed,
                                   valid = a.valid + excluded.valid, invalid = a.invalid + excluded.invalid,
                                   errors = a.errors + excluded.errors, timed_out = a.timed_out + excluded.timed_out)
                        SELECT count(*) FROM taken""")
                .param("limit", limit)
                .query(Long.class).single().intValue();
    }

    /** What happened in one minute (of one job, or of all). */
    public record Minute(Instant minute, long validated, long failed, long valid, long invalid, long errors,
            long timedOut) {
        /** Results judged: valid, invalid, errors and timeouts. */
        public long results() {
            return valid + invalid + errors + timedOut;
        }
    }

    /**
     * Every minute from the one holding {@code from} to the one holding {@code to}, oldest first, with zeros
     * where nothing happened; of one job, or of all when {@code jobId} is null.
     */
    public List<Minute> perMinute(Instant from, Instant to, Long jobId) {
        Instant first = minute(from);
        Map<Instant, Minute> found = new HashMap<>();
        var statement = jdbc.sql("SELECT minute, sum(validated), sum(failed), sum(valid), sum(invalid), sum(errors),"
                        + " sum(timed_out) FROM " + ALL_ROWS + " a WHERE minute >= :from"
                        + (jobId == null ? "" : " AND job_id = :job") + " GROUP BY minute")
                .param("from", Timestamp.from(first));
        if (jobId != null) {
            statement = statement.param("job", jobId);
        }
        statement.query((rs, i) -> new Minute(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)))
                .list()
                .forEach(m -> found.put(m.minute(), m));
        List<Minute> minutes = new ArrayList<>();
        for (Instant m = first; !m.isAfter(to); m = m.plus(1, ChronoUnit.MINUTES)) {
            minutes.add(found.getOrDefault(m, new Minute(m, 0, 0, 0, 0, 0, 0)));
        }
        return minutes;
    }

    /** A job stage's totals. */
    public record StageTotals(int stage, long validated, long failed, long valid, long invalid, long errors,
            long timedOut) {}

    /** Each of the given jobs' totals by stage (in stage order); jobs with no activity are absent. */
    public Map<Long, List<StageTotals>> totals(Collection<Long> jobIds) {
        Map<Long, List<StageTotals>> totals = new HashMap<>();
        if (jobIds.isEmpty()) {
            return totals;
        }
        jdbc.sql("SELECT job_id, stage, sum(validated), sum(failed), sum(valid), sum(invalid), sum(errors),"
                        + " sum(timed_out) FROM " + ALL_ROWS + " a WHERE job_id = ANY(:jobs)"
                        + " GROUP BY job_id, stage ORDER BY job_id, stage")
                .param("jobs", SqlArrays.of("bigint", jobIds.toArray(Long[]::new)))
                .query((rs, i) -> Map.entry(rs.getLong(1), new StageTotals(rs.getInt(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8))))
                .list()
                .forEach(e -> totals.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return totals;
    }

    static Instant minute(Instant t) {
        return t.truncatedTo(ChronoUnit.MINUTES);
    }
}
