package dev.starling.coordinator.app;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code app_name} table: who owns a deployed app's name, and whether it is shared. */
@Repository
class AppNameTable {
    private final JdbcClient jdbc;

    AppNameTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A deployed app's name.
     *
     * @param researcherId its owner; null when the admin deployed it first
     */
    record NameRow(String name, Long researcherId, boolean shared, Instant createdAt) {}

    /**
     * Locks the name's row, creating it for {@code researcherId} (null: the admin) when nobody has deployed under it
     * yet; answers it with its owner, who may be someone else. Two first deploys of one name at once: the second
     * waits for the first to commit and gets its row.
     */
    NameRow claim(String name, Long researcherId, Instant now) {
        jdbc.sql("""
                        INSERT INTO app_name (name, researcher_id, created_at) VALUES (:name, :researcher, :now)
                        ON CONFLICT (name) DO NOTHING""")
                .param("name", name).param("researcher", researcherId, java.sql.Types.BIGINT)
                .param("now", Timestamp.from(now)).update();
        return jdbc.sql("SELECT name, researcher_id, shared, created_at FROM app_name WHERE name = :name FOR UPDATE")
                .param("name", name).query(AppNameTable::row).single();
    }

    Optional<NameRow> find(String name) {
        return jdbc.sql("SELECT name, researcher_id, shared, created_at FROM app_name WHERE name = :name")
                .param("name", name).query(AppNameTable::row).optional();
    }

    void setShared(String name, boolean shared) {
        int rows = jdbc.sql("UPDATE app_name SET shared = :shared WHERE name = :name")
                .param("name", name).param("shared", shared).update();
        if (rows != 1) {
            throw new IllegalStateException("expected to update app name " + name + ", updated " + rows);
        }
    }

    private static NameRow row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new NameRow(rs.getString("name"), rs.getObject("researcher_id", Long.class), rs.getBoolean("shared"),
                rs.getTimestamp("created_at").toInstant());
    }
}
