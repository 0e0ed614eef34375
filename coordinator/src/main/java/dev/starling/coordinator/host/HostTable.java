package dev.starling.coordinator.host;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code host} table. */
@Repository
public class HostTable {
    private final JdbcClient jdbc;

    HostTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(HostInfo info, byte[] tokenHash, Instant now) {
        return jdbc.sql("""
                        INSERT INTO host (name, token_hash, cores, memory_bytes, os, arch, worker_version, apps,
                                          created_at, last_contact_at)
                        VALUES (:name, :tokenHash, :cores, :memory, :os, :arch, :version, :apps, :now, :now)
                        RETURNING id""")
                .paramSource(params(info).addValue("tokenHash", tokenHash).addValue("now", Timestamp.from(now)))
                .query(Long.class)
                .single();
    }

    /** Updates what a returning host says about itself; false when id and token do not match a host. */
    boolean update(long id, byte[] tokenHash, HostInfo info, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET name = :name, cores = :cores, memory_bytes = :memory, os = :os, arch = :arch,
                                        worker_version = :version, apps = :apps, last_contact_at = :now
                         WHERE id = :id AND token_hash = :tokenHash""")
                .paramSource(params(info).addValue("id", id).addValue("tokenHash", tokenHash)
                        .addValue("now", Timestamp.from(now)))
                .update() == 1;
    }

    /** Checks a token and records the contact in one statement; empty when they do not match. */
    Optional<AuthenticatedHost> authenticate(long id, byte[] tokenHash, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET last_contact_at = :now
                         WHERE id = :id AND token_hash = :tokenHash
                        RETURNING id, apps""")
                .param("id", id)
                .param("tokenHash", tokenHash)
                .param("now", Timestamp.from(now))
                .query((rs, i) -> new AuthenticatedHost(rs.getLong("id"),
                        List.of((String[]) rs.getArray("apps").getArray())))
                .optional();
    }

    List<HostView> page(long offset, int limit) {
        return jdbc.sql("""
                        SELECT id, name, cores, memory_bytes, os, arch, worker_version, apps, valid_count,
                               invalid_count, error_count, timeout_count, credit, created_at, last_contact_at
                          FROM host ORDER BY id OFFSET :offset LIMIT :limit""")
                .param("offset", offset).param("limit", limit)
                .query(HostTable::view)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM host").query(Long.class).single();
    }

    /** Adds to a host's result counters and credit (in the caller's transaction). */
    public void record(long hostId, Outcome outcome, double credit) {
        String column = switch (outcome) {
            case VALID -> "valid_count";
            case INVALID -> "invalid_count";
            case ERROR -> "error_count";
            case TIMED_OUT -> "timeout_count";
        };
        jdbc.sql("UPDATE host SET " + column + " = " + column + " + 1, credit = credit + :credit WHERE id = :id")
                .param("id", hostId).param("credit", credit).update();
    }

    /** What a result did for its host's record. */
    public enum Outcome { VALID, INVALID, ERROR, TIMED_OUT }

    private static MapSqlParameterSource params(HostInfo info) {
        return new MapSqlParameterSource()
                .addValue("name", info.name())
                .addValue("cores", info.cores())
                .addValue("memory", info.memoryBytes())
                .addValue("os", info.os())
                .addValue("arch", info.arch())
                .addValue("version", info.workerVersion())
                .addValue("apps", info.apps().toArray(String[]::new));
    }

    private static HostView view(ResultSet rs, int row) throws SQLException {
        return new HostView(rs.getLong("id"), rs.getString("name"), rs.getInt("cores"), rs.getLong("memory_bytes"),
                rs.getString("os"), rs.getString("arch"), rs.getString("worker_version"),
                List.of((String[]) rs.getArray("apps").getArray()), rs.getLong("valid_count"),
                rs.getLong("invalid_count"), rs.getLong("error_count"), rs.getLong("timeout_count"),
                rs.getDouble("credit"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_contact_at").toInstant());
    }
}
