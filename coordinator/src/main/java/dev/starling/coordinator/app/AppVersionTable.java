package dev.starling.coordinator.app;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code app_version} table: deployed apps' immutable versions and their states. */
@Repository
public class AppVersionTable {
    private static final String COLUMNS = """
            v.id, v.name, v.version, v.module_blob, v.module_size, v.manifest::text AS manifest, v.memory_mib, v.state,
            v.state_reason, v.state_changed_at, v.created_at, v.signature, n.researcher_id, n.shared""";

    private final JdbcClient jdbc;

    AppVersionTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A version as stored, with its name's owner and sharing.
     *
     * @param signature the project's signature (an {@code AppSignature}, wasm.proto); null: deployed unsigned
     * @param researcherId the owner of its name; null for the admin
     */
    record VersionRow(long id, String name, String version, String moduleBlob, long moduleSize, String manifestJson,
            int memoryMiB, VersionState state, String stateReason, Instant stateChangedAt, Instant createdAt,
            byte[] signature, Long researcherId, boolean shared) {

        /** As jobs name it: {@code name@version}. */
        String app() {
            return name + "@" + version;
        }
    }

    /** Inserts a version; false when the name has this version already (it is left as it is). */
    boolean insert(String name, String version, String moduleBlob, long moduleSize, String manifestJson, int memoryMiB,
            byte[] signature, Instant now) {
        return jdbc.sql("""
                        INSERT INTO app_version (name, version, module_blob, module_size, manifest, memory_mib, signature,
                                                 created_at)
                        VALUES (:name, :version, :module, :size, CAST(:manifest AS jsonb), :memory, :signature, :now)
                        ON CONFLICT (name, version) DO NOTHING""")
                .param("name", name).param("version", version).param("module", moduleBlob).param("size", moduleSize)
                .param("manifest", manifestJson).param("memory", memoryMiB).param("signature", signature, java.sql.Types.BINARY).param("now", Timestamp.from(now))
                .update() == 1;
    }

    Optional<VersionRow> find(String name, String version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_version v JOIN app_name n ON n.name = v.name"
                        + " WHERE v.name = :name AND v.version = :version")
                .param("name", name).param("version", version).query(AppVersionTable::row).optional();
    }

    /** The versions of one name, oldest first. */
    List<VersionRow> ofName(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_version v JOIN app_name n ON n.name = v.name"
                        + " WHERE v.name = :name ORDER BY v.id")
                .param("name", name).query(AppVersionTable::row).list();
    }

    /**
     * Every version of the names a caller may see, by name then oldest first: all of them ({@code everything}), or
     * those of shared names and of the researcher's own (null: none of their own).
     */
    List<VersionRow> visible(boolean everything, Long researcherId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_version v JOIN app_name n ON n.name = v.name"
                        + " WHERE :everything OR n.shared OR n.researcher_id = :researcher ORDER BY v.name, v.id")
                .param("everything", everything).param("researcher", researcherId, java.sql.Types.BIGINT)
                .query(AppVersionTable::row).list();
    }

    /** Moves a version from one of {@code from} to {@code to}; false when it was in none of them. */
    boolean setState(String name, String version, List<VersionState> from, VersionState to, String reason,
            Instant now) {
        return jdbc.sql("""
                        UPDATE app_version SET state = :to, state_reason = :reason, state_changed_at = :now
                         WHERE name = :name AND version = :version AND state IN (:from)""")
                .param("name", name).param("version", version).param("to", to.name())
                .param("from", from.stream().map(Enum::name).toList()).param("reason", reason)
                .param("now", Timestamp.from(now)).update() == 1;
    }

    /**
     * A version that jobs are running or queued for, the memory its tasks need, the CPU time they may take
     * ({@code limits.maxCpuSeconds}) and its module's size.
     */
    public record Runnable(String app, int memoryMiB, int maxCpuSeconds, long moduleSize, String moduleBlob) {}

    /** The module of a version given as {@code name@version}; empty when there is no such version. */
    public Optional<String> moduleBlob(String app) {
        int at = app.indexOf('@');
        return at < 0 ? Optional.empty() : jdbc.sql("SELECT module_blob FROM app_version WHERE name = ? AND version = ?")
                .param(app.substring(0, at)).param(app.substring(at + 1)).query(String.class).optional();
    }

    /**
     * The versions (as {@code name@version}) with queued or running jobs (as their app or their reduce step's), or
     * with jobs finished after {@code finishedSince} and not purged (their spot checks and re-opened work units may
     * still wait to be sent after the job ended), not revoked: those whose tasks dispatch may hand out. Reads the few
     * active jobs (index job_active) and the recently finished ones (index job_purge_due), then each version by its
     * key.
     */
    public List<Runnable> runnable(Instant finishedSince) {
        return jdbc.sql("""
                        SELECT a.app, v.memory_mib, (v.manifest -> 'limits' ->> 'maxCpuSeconds')::int, v.module_size,
                               v.module_blob
                          FROM (SELECT x.app
                                  FROM job j CROSS JOIN unnest(ARRAY[j.app, j.reduce_app]) AS x(app)
                                 WHERE (j.state IN ('QUEUED', 'RUNNING')
                                        OR j.finished_at > :since AND j.purged_at IS NULL)
                                   AND strpos(x.app, '@') > 0
                                 GROUP BY x.app) a
                          JOIN app_version v ON v.name = split_part(a.app, '@', 1)
                                            AND v.version = substr(a.app, strpos(a.app, '@') + 1)
                         WHERE v.state <> 'REVOKED'""")
                .param("since", Timestamp.from(finishedSince))
                .query((rs, i) -> new Runnable(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4),
                        rs.getString(5))).list();
    }

    private static VersionRow row(ResultSet rs, int i) throws SQLException {
        Timestamp changed = rs.getTimestamp("state_changed_at");
        return new VersionRow(rs.getLong("id"), rs.getString("name"), rs.getString("version"),
                rs.getString("module_blob"), rs.getLong("module_size"), rs.getString("manifest"),
                rs.getInt("memory_mib"), VersionState.valueOf(rs.getString("state")), rs.getString("state_reason"),
                changed == null ? null : changed.toInstant(), rs.getTimestamp("created_at").toInstant(),
                rs.getBytes("signature"), rs.getObject("researcher_id", Long.class), rs.getBoolean("shared"));
    }
}
