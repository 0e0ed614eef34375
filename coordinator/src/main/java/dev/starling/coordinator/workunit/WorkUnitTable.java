package dev.starling.coordinator.workunit;

import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.support.SqlArrays;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.WorkUnitSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code work_unit} table (and the replicas created with each work unit). */
@Repository
public class WorkUnitTable {
    /**
     * The app of a work unit {@code w} of job {@code j}, in SQL: its job's, except in the stages after the first of a
     * job with a reduce step, which are that step's levels ({@link Job#appOf}).
     */
    public static final String APP_OF_WORK_UNIT =
            "CASE WHEN w.stage > 0 AND j.reduce_app IS NOT NULL THEN j.reduce_app ELSE j.app END";

    private final JdbcClient jdbc;
    /** reads large result sets through a cursor, 1,000 rows at a time (inside a transaction) */
    private final JdbcClient streaming;

    WorkUnitTable(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        JdbcTemplate template = new JdbcTemplate(dataSource);
        template.setFetchSize(1000);
        this.streaming = JdbcClient.create(template);
    }

    /**
     * Writes the work units {@code firstIndex ..} of the job's current stage with their initial replicas,
     * in one statement. Writing a batch again inserts nothing (the key is job, stage, index).
     */
    public void insertBatch(Job job, long firstIndex, List<WorkUnitSpec> batch, Instant now) {
        int n = batch.size();
        Long[] idx = new Long[n];
        byte[][] inputs = new byte[n][];
        Double[] costs = new Double[n];
        // blob ids joined by spaces: unnest cannot take an array of arrays of different lengths
        String[] blobs = new String[n];
        for (int i = 0; i < n; i++) {
            idx[i] = firstIndex + i;
            inputs[i] = batch.get(i).input();
            costs[i] = batch.get(i).cost();
            blobs[i] = String.join(" ", batch.get(i).blobs());
        }
        var r = job.redundancy();
        jdbc.sql("""
                        WITH wu AS (
                            INSERT INTO work_unit (job_id, stage, idx, input, cost, blobs, quorum, max_results,
                                                   max_errors, created_at)
                            SELECT :job, :stage, u.idx, u.input, u.cost, string_to_array(u.blobs, ' '), :quorum,
                                   :maxResults, :maxErrors, :now
                              FROM unnest(:idx, :inputs, :costs, :blobs) AS u(idx, input, cost, blobs)
                            ON CONFLICT (job_id, stage, idx) DO NOTHING
                            RETURNING id, cardinality(blobs) > 0 AS reads_blobs)
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at, reads_blobs, researcher_id)
                        SELECT wu.id, :job, :app, :priority, :now, wu.reads_blobs, :researcher
                          FROM wu CROSS JOIN generate_series(1, :replicas)
                         ORDER BY wu.id""")
                .param("job", job.id())
                .param("stage", job.stage())
                .param("quorum", r.quorum())
                .param("maxResults", r.maxResults())
                .param("maxErrors", r.maxErrors())
                .param("now", Timestamp.from(now))
                .param("idx", SqlArrays.of("bigint", idx))
                .param("inputs", SqlArrays.of("bytea", inputs))
                .param("costs", SqlArrays.of("float8", costs))
                .param("blobs", SqlArrays.of("text", blobs))
                .param("app", job.appOf(job.stage()))
                .param("priority", job.priority())
                .param("researcher", job.researcherId() == null ? 0L : job.researcherId())
                .param("replicas", r.initialReplicas())
                .update();
        String[] read = batch.stream().flatMap(w -> w.blobs().stream()).distinct().toArray(String[]::new);
        if (read.length > 0) {
            // the blobs the job's work units read are referenced until the job is purged (the blob collector)
            jdbc.sql("INSERT INTO job_blob (job_id, blob_id) SELECT :job, unnest(:blobs) ON CONFLICT DO NOTHING")
                    .param("job", job.id()).param("blobs", SqlArrays.of("text", read)).update();
        }
    }

    /** Cancels every open work unit of a job and its unfinished replicas, locking work units in id order. */
    public void cancelOpen(long jobId, Instant now) {
        jdbc.sql("""
                        WITH locked AS (
                            SELECT id FROM work_unit WHERE job_id = :job AND state = 'OPEN' ORDER BY id FOR UPDATE)
                        UPDATE work_unit w SET state = 'CANCELLED', finished_at = :now
                          FROM locked WHERE w.id = locked.id""")
                .param("job", jobId).param("now", Timestamp.from(now)).update();
        jdbc.sql("""
                        UPDATE result SET state = 'CANCELLED'
                         WHERE job_id = :job AND state IN ('UNSENT', 'IN_PROGRESS')""")
                .param("job", jobId).update();
    }

    public long countFailed(long jobId) {
        return jdbc.sql("SELECT count(*) FROM work_unit WHERE job_id = :job AND state = 'FAILED'")
                .param("job", jobId).query(Long.class).single();
    }

    /** A failed work unit and why. */
    public record Failed(int stage, long index, String error) {}

    /** The first {@code limit} failed work units of a job, by stage and index. */
    public List<Failed> failed(long jobId, int limit) {
        return jdbc.sql("""
                        SELECT stage, idx, error FROM work_unit WHERE job_id = :job AND state = 'FAILED'
                         ORDER BY stage, idx LIMIT :limit""")
                .param("job", jobId).param("limit", limit)
                .query((rs, i) -> new Failed(rs.getInt(1), rs.getLong(2), rs.getString(3))).list();
    }

    /** Canonical outputs of one stage in index order, through a cursor; close the stream. */
    public Stream<CanonicalOutput> canonicalOutputs(long jobId, int stage) {
        return streaming.sql("""
                        SELECT w.stage, w.idx, r.output
                          FROM work_unit w JOIN result r ON r.id = w.canonical_result_id
                         WHERE w.job_id = :job AND w.stage = :stage
                         ORDER BY w.idx""")
                .param("job", jobId)
                .param("stage", stage)
                .query((rs, i) -> new CanonicalOutput(rs.getInt("stage"), rs.getLong("idx"), rs.getBytes("output")))
                .stream();
    }

    /**
     * Canonical outputs of the work units of one stage whose index is in {@code [fromIndex, toIndex)}, in index order,
     * through a cursor; close the stream.
     */
    public Stream<CanonicalOutput> canonicalOutputs(long jobId, int stage, long fromIndex, long toIndex) {
        return streaming.sql("""
                        SELECT w.stage, w.idx, r.output
                          FROM work_unit w JOIN result r ON r.id = w.canonical_result_id
                         WHERE w.job_id = :job AND w.stage = :stage AND w.idx >= :from AND w.idx < :to
                         ORDER BY w.idx""")
                .param("job", jobId)
                .param("stage", stage)
                .param("from", fromIndex)
                .param("to", toIndex)
                .query((rs, i) -> new CanonicalOutput(rs.getInt("stage"), rs.getLong("idx"), rs.getBytes("output")))
                .stream();
    }

    /**
     * A stage's size: its work units, how many have a canonical output, and those outputs' bytes (as stored: a
     * deployed app's envelope is a few bytes more than its standard output).
     */
    public record StageTotals(long workUnits, long outputs, long outputBytes) {}

    public StageTotals totals(long jobId, int stage) {
        return jdbc.sql("""
                        SELECT count(*), count(r.id), coalesce(sum(octet_length(r.output)), 0)
                          FROM work_unit w LEFT JOIN result r ON r.id = w.canonical_result_id
                         WHERE w.job_id = :job AND w.stage = :stage""")
                .param("job", jobId).param("stage", stage)
                .query((rs, i) -> new StageTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
    }

    /** How many work units of the job's stages from {@code fromStage} on failed. */
    public long countFailed(long jobId, int fromStage) {
        return jdbc.sql("SELECT count(*) FROM work_unit WHERE job_id = :job AND stage >= :stage AND state = 'FAILED'")
                .param("job", jobId).param("stage", fromStage).query(Long.class).single();
    }

    /**
     * A decided work unit: its canonical output when it was validated, its error when it failed.
     */
    public record Decided(long index, byte[] output, String error) {
        public boolean failed() {
            return error != null;
        }
    }

    /**
     * The decided work units of one stage in index order (validated ones, and failed ones when {@code withFailed}),
     * through a cursor; close the stream.
     */
    public Stream<Decided> decided(long jobId, int stage, boolean withFailed) {
        return streaming.sql("""
                        SELECT w.idx, w.state, r.output, w.error
                          FROM work_unit w LEFT JOIN result r ON r.id = w.canonical_result_id
                         WHERE w.job_id = :job AND w.stage = :stage AND w.state = ANY(:states)
                         ORDER BY w.idx""")
                .param("job", jobId)
                .param("stage", stage)
                .param("states", SqlArrays.of("text", withFailed ? new String[] {"VALIDATED", "FAILED"}
                        : new String[] {"VALIDATED"}))
                .query((rs, i) -> new Decided(rs.getLong("idx"), rs.getBytes("output"),
                        rs.getString("state").equals("FAILED") ? Objects.requireNonNullElse(rs.getString("error"), "failed") : null))
                .stream();
    }

    /** Refreshes the planner's statistics of the work unit and replica tables (after a big job was written). */
    public void refreshStatistics() {
        jdbc.sql("ANALYZE work_unit, result").update();
    }
}
