package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.support.SqlArrays;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code volunteer} table, and volunteers' figures summed over their hosts. */
@Repository
class VolunteerTable {
    private final JdbcClient jdbc;

    VolunteerTable(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a volunteer; empty when the email is taken (compared without case). */
    Optional<Long> insert(String name, String email, byte[] keyHash, String address, Instant now) {
        return jdbc.sql("""
                        INSERT INTO volunteer (name, email, key_hash, created_at, sign_up_address)
                        VALUES (:name, :email, :hash, :now, :address)
                        ON CONFLICT (lower(email)) DO NOTHING RETURNING id""")
                .param("name", name).param("email", email).param("hash", keyHash).param("now", Timestamp.from(now))
                .param("address", address)
                .query(Long.class).optional();
    }

    /**
     * The accounts signed up from {@code address} since {@code since}, counted under a transaction-scoped advisory
     * lock on the address, so that sign-ups from one address at once (on any coordinator) are counted one after the
     * other.
     */
    long signUpsFrom(String address, Instant since) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('sign-up ' || :address, 0))").param("address", address)
                .query((rs, i) -> 1).list();
        return jdbc.sql("SELECT count(*) FROM volunteer WHERE sign_up_address = :address AND created_at > :since")
                .param("address", address).param("since", Timestamp.from(since)).query(Long.class).single();
    }

    Optional<byte[]> keyHash(long id) {
        return jdbc.sql("SELECT key_hash FROM volunteer WHERE id = :id").param("id", id).query(byte[].class).optional();
    }

    void rotate(long id, byte[] keyHash, Instant now) {
        int rows = jdbc.sql("UPDATE volunteer SET key_hash = :hash, key_rotated_at = :now WHERE id = :id")
                .param("id", id).param("hash", keyHash).param("now", Timestamp.from(now)).update();
        if (rows != 1) {
            throw new IllegalStateException("expected to rotate the key of volunteer " + id + ", updated " + rows);
        }
    }

    /** Sets the volunteer's web password (its hash); false when there is no such volunteer. */
    boolean setPassword(long id, String passwordHash, Instant now) {
        return jdbc.sql("UPDATE volunteer SET password_hash = :hash, password_set_at = :now WHERE id = :id")
                .param("id", id).param("hash", passwordHash).param("now", Timestamp.from(now)).update() == 1;
    }

    /** A volunteer who may sign in on the web, and the hash of their password. */
    record Login(long id, String passwordHash) {}

    /** The volunteer with this email (compared without case) and a password; empty when there is none. */
    Optional<Login> login(String email) {
        return jdbc.sql("SELECT id, password_hash FROM volunteer WHERE lower(email) = lower(:email)"
                        + " AND password_hash IS NOT NULL")
                .param("email", email).query((rs, i) -> new Login(rs.getLong(1), rs.getString(2))).optional();
    }

    /** Bans a volunteer (one banned already stays banned as it was, with the new reason); false when there is none. */
    boolean ban(long id, String reason, Instant now) {
        return jdbc.sql("UPDATE volunteer SET banned_at = coalesce(banned_at, :now), ban_reason = :reason WHERE id = :id")
                .param("id", id).param("reason", reason).param("now", Timestamp.from(now)).update() == 1;
    }

    boolean unban(long id) {
        return jdbc.sql("UPDATE volunteer SET banned_at = NULL, ban_reason = NULL WHERE id = :id").param("id", id)
                .update() == 1;
    }

    /** Of these volunteers, the banned ones, with why. */
    Map<Long, String> bans(Collection<Long> ids) {
        Map<Long, String> bans = new HashMap<>();
        jdbc.sql("SELECT id, ban_reason FROM volunteer WHERE id = ANY(:ids) AND banned_at IS NOT NULL")
                .param("ids", SqlArrays.of("bigint", ids.toArray(Long[]::new)))
                .query((rs, i) -> bans.put(rs.getLong(1), rs.getString(2))).list();
        return bans;
    }

    /** Volunteers' figures: their hosts' counters and credit, with what validation added since the last fold. */
    private static final String WITH_FIGURES = """
            SELECT v.id, v.name, v.email, v.created_at, v.banned_at, v.ban_reason, count(h.id) AS hosts,
                   coalesce(sum(h.valid_count), 0) AS valid_count, coalesce(sum(h.credit), 0) AS credit
              FROM volunteer v
              LEFT JOIN (SELECT h.id, h.volunteer_id, %s FROM host h %s) h ON h.volunteer_id = v.id
            """.formatted(HostTable.VIEW_COUNTS, HostTable.UNFOLDED);

    Optional<VolunteerView> find(long id) {
        return jdbc.sql(WITH_FIGURES + " WHERE v.id = :id GROUP BY v.id").param("id", id).query(VolunteerTable::view)
                .optional();
    }

    List<VolunteerView> page(long offset, int limit) {
        return jdbc.sql(WITH_FIGURES + " WHERE v.id IN (SELECT id FROM volunteer ORDER BY id OFFSET :offset LIMIT :limit)"
                        + " GROUP BY v.id ORDER BY v.id")
                .param("offset", offset).param("limit", limit).query(VolunteerTable::view).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM volunteer").query(Long.class).single();
    }

    /** Volunteers by credit, most first (ties: who signed up first). */
    List<VolunteerView> byCredit(long offset, int limit) {
        return jdbc.sql(WITH_FIGURES + " GROUP BY v.id ORDER BY credit DESC, v.id OFFSET :offset LIMIT :limit")
                .param("offset", offset).param("limit", limit).query(VolunteerTable::view).list();
    }

    private static VolunteerView view(ResultSet rs, int row) throws SQLException {
        Timestamp banned = rs.getTimestamp("banned_at");
        return new VolunteerView(rs.getLong("id"), rs.getString("name"), rs.getString("email"),
                rs.getTimestamp("created_at").toInstant(), rs.getInt("hosts"), rs.getLong("valid_count"),
                rs.getDouble("credit"), banned == null ? null : banned.toInstant(), rs.getString("ban_reason"));
    }
}
