package dev.starling.coordinator.researcher;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code researcher} and {@code researcher_key} tables. */
@Repository
class ResearcherTable {
    private final JdbcClient jdbc;

    ResearcherTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(String name, Instant now) {
        return jdbc.sql("INSERT INTO researcher (name, created_at) VALUES (:name, :now) RETURNING id")
                .param("name", name).param("now", Timestamp.from(now)).query(Long.class).single();
    }

    boolean exists(long id) {
        return jdbc.sql("SELECT count(*) FROM researcher WHERE id = :id").param("id", id).query(Long.class).single() > 0;
    }

    long insertKey(long researcherId, byte[] secretHash, Instant now) {
        return jdbc.sql("""
                        INSERT INTO researcher_key (researcher_id, secret_hash, created_at) VALUES (:researcher, :hash, :now)
                        RETURNING id""")
                .param("researcher", researcherId).param("hash", secretHash).param("now", Timestamp.from(now))
                .query(Long.class).single();
    }

    /** Revokes a key of the researcher (a revoked key stays revoked as it was); false when there is no such key. */
    boolean revoke(long researcherId, long keyId, Instant now) {
        return jdbc.sql("""
                        UPDATE researcher_key SET revoked_at = coalesce(revoked_at, :now)
                         WHERE id = :key AND researcher_id = :researcher""")
                .param("key", keyId).param("researcher", researcherId).param("now", Timestamp.from(now))
                .update() == 1;
    }

    /** An unrevoked key: its researcher and secret hash. */
    record ActiveKey(long researcherId, byte[] secretHash) {}

    Optional<ActiveKey> activeKey(long keyId) {
        return jdbc.sql("SELECT researcher_id, secret_hash FROM researcher_key WHERE id = :id AND revoked_at IS NULL")
                .param("id", keyId)
                .query((rs, i) -> new ActiveKey(rs.getLong(1), rs.getBytes(2)))
                .optional();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM researcher").query(Long.class).single();
    }

    /** A page of researchers, oldest first, each with its keys (oldest first). */
    List<ResearcherView> page(long offset, int limit) {
        return withKeys("SELECT * FROM researcher ORDER BY id OFFSET :offset LIMIT :limit",
                Map.of("offset", offset, "limit", limit));
    }

    Optional<ResearcherView> find(long id) {
        return withKeys("SELECT * FROM researcher WHERE id = :id", Map.of("id", id)).stream().findFirst();
    }

    /** The researchers {@code researchers} selects, with their keys. */
    private List<ResearcherView> withKeys(String researchers, Map<String, Object> params) {
        Map<Long, ResearcherView> byId = new LinkedHashMap<>();
        jdbc.sql("SELECT r.id, r.name, r.created_at, k.id AS key_id, k.created_at AS key_created_at, k.revoked_at"
                        + " FROM (" + researchers + ") r LEFT JOIN researcher_key k ON k.researcher_id = r.id"
                        + " ORDER BY r.id, k.id")
                .params(params)
                .query((RowCallbackHandler) rs -> {
                    ResearcherView r = byId.get(rs.getLong("id"));
                    if (r == null) {
                        r = new ResearcherView(rs.getLong("id"), rs.getString("name"),
                                rs.getTimestamp("created_at").toInstant(), new ArrayList<>());
                        byId.put(r.id(), r);
                    }
                    if (rs.getObject("key_id") != null) {
                        r.keys().add(new ResearcherView.Key(rs.getLong("key_id"),
                                rs.getTimestamp("key_created_at").toInstant(), instant(rs, "revoked_at")));
                    }
                });
        return List.copyOf(byId.values());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
