package dev.starling.coordinator.host;

import dev.starling.coordinator.support.SqlArrays;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL on the {@code host} table. */
@Repository
public class HostTable {
    private final JdbcClient jdbc;
    private final Clock clock;
    private final WorkerVersions versions;

    HostTable(JdbcClient jdbc, Clock clock, WorkerVersions versions) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.versions = versions;
    }

    /** Why the calls of host {@code h} (joined to its volunteer as {@code v}) are refused; NULL when they are not. */
    private static final String REFUSAL = """
            CASE WHEN h.banned_at IS NOT NULL THEN format('host %s is banned by the project''s admin: %s', h.id, h.ban_reason)
                 WHEN v.banned_at IS NOT NULL
                 THEN format('volunteer %s, who owns host %s, is banned by the project''s admin: %s', v.id, h.id, v.ban_reason)
                 WHEN h.retired_at IS NOT NULL
                 THEN format('host %s was retired by its volunteer on the web: start the worker with a fresh --work-dir'
                             || ' to join as a new host', h.id)
            END""";

    /**
     * Inserts a host. A volunteer who has a host banned does not escape the ban by registering another: the new host
     * starts quarantined, as by the admin (its results need a partner in good standing, it gets a few tasks a day),
     * until the admin releases it or bans the volunteer.
     */
    /**
     * The valid results of host {@code h}'s volunteer's hosts together, or of {@code h} alone when it is anonymous:
     * what probation counts (index host_volunteer).
     */
    private static final String VALID_RESULTS = """
            CASE WHEN h.volunteer_id IS NULL THEN h.valid_count
                 ELSE (SELECT coalesce(sum(x.valid_count), 0) FROM host x WHERE x.volunteer_id = h.volunteer_id) END""";

    /** The valid results probation counts for host {@code hostId} (its volunteer's hosts together), read now. */
    long validResultsOf(long hostId) {
        return jdbc.sql("SELECT " + VALID_RESULTS + " FROM host h WHERE h.id = ?").param(hostId).query(Long.class)
                .optional().orElse(0L);
    }

    /** The valid results of a volunteer's hosts together (0 for none, or no volunteer). */
    long validResults(Long volunteerId) {
        return volunteerId == null ? 0 : jdbc.sql("SELECT coalesce(sum(valid_count), 0) FROM host WHERE volunteer_id = ?")
                .param(volunteerId).query(Long.class).single();
    }

    /**
     * How many volunteers (and anonymous hosts) have at least {@code validResults} valid results: once enough have,
     * probation is enforced.
     */
    public long established(long validResults) {
        return jdbc.sql("""
                        SELECT count(*) FROM (SELECT 1 FROM host GROUP BY coalesce(volunteer_id, -id)
                                               HAVING sum(valid_count) >= ?) e""")
                .param(validResults).query(Long.class).single();
    }

    /** A host just inserted: its id, and whether it starts quarantined. */
    record Inserted(long id, boolean quarantined) {}

    Inserted insert(HostDescription info, byte[] tokenHash, Long volunteerId, Instant now) {
        return jdbc.sql("""
                        INSERT INTO host (name, token_hash, cores, memory_bytes, os, arch, worker_version, protocol_version,
                                          apps, peer_address, volunteer_id, created_at, last_contact_at,
                                          quarantined_at, quarantine_reason, quarantine_manual, wasm_memory_mib, network,
                                          quarantine_seen_at, quarantine_scanned_at)
                        SELECT :name, :tokenHash, :cores, :memory, :os, :arch, :version, :protocol, :apps, :peerAddress,
                               CAST(:volunteer AS bigint), :now, :now,
                               CASE WHEN b.id IS NOT NULL THEN CAST(:now AS timestamptz) END,
                               CASE WHEN b.id IS NOT NULL
                                    THEN format('host %s of the same volunteer is banned (%s)', b.id, b.ban_reason) END,
                               b.id IS NOT NULL, :wasmMemory, :network,
                               -- born quarantined, it has no result for the re-checker's pass to list
                               -- (SpotCheckQueries.listQuarantined): none is due, however many such hosts register
                               CASE WHEN b.id IS NOT NULL THEN clock_timestamp() END,
                               CASE WHEN b.id IS NOT NULL THEN clock_timestamp() END
                          FROM (SELECT 1) one
                          LEFT JOIN LATERAL (SELECT id, ban_reason FROM host
                                              WHERE volunteer_id = CAST(:volunteer AS bigint) AND banned_at IS NOT NULL
                                              ORDER BY banned_at DESC LIMIT 1) b ON true
                        RETURNING id, quarantined_at IS NOT NULL AS quarantined""")
                .paramSource(params(info).addValue("tokenHash", tokenHash).addValue("volunteer", volunteerId)
                        .addValue("now", Timestamp.from(now)))
                .query((rs, i) -> new Inserted(rs.getLong("id"), rs.getBoolean("quarantined")))
                .single();
    }

    /**
     * A returning host after its update: the volunteer it belongs to (null: anonymous), and why its calls are refused
     * (its ban or its volunteer's; null when they are not).
     */
    record Returning(Long volunteerId, String refusal) {}

    /**
     * Updates what a returning host says about itself, and attaches an anonymous host to {@code volunteerId} when
     * one is given; empty when id and token do not match a host, or the host belongs to another volunteer (a host
     * belongs to one volunteer for good).
     */
    Optional<Returning> update(long id, byte[] tokenHash, HostDescription info, Long volunteerId, Instant now) {
        return returning("""
                        UPDATE host SET name = :name, cores = :cores, memory_bytes = :memory, os = :os, arch = :arch,
                                        worker_version = :version, protocol_version = :protocol, apps = :apps,
                                        peer_address = :peerAddress, wasm_memory_mib = :wasmMemory,
                                        network = :network,
                                        volunteer_id = coalesce(volunteer_id, CAST(:volunteer AS bigint)),
                                        last_contact_at = :now,
                                        -- a next token (from a rotation) used for the first time becomes the token
                                        token_hash = :tokenHash,
                                        next_token_hash = CASE WHEN next_token_hash = :tokenHash THEN NULL ELSE next_token_hash END,
                                        token_rotation_asked_at = CASE WHEN next_token_hash = :tokenHash THEN NULL
                                                                       ELSE token_rotation_asked_at END,
                                        token_rotated_at = CASE WHEN next_token_hash = :tokenHash THEN :now
                                                                ELSE token_rotated_at END
                         WHERE id = :id AND (token_hash = :tokenHash OR next_token_hash = :tokenHash)
                           AND (CAST(:volunteer AS bigint) IS NULL OR volunteer_id IS NULL
                                OR volunteer_id = CAST(:volunteer AS bigint))""", id, tokenHash, info, volunteerId, now);
    }

    /** Runs an UPDATE of one host by its id, its token's hash and what it says about itself; the host after it. */
    private Optional<Returning> returning(String update, long id, byte[] tokenHash, HostDescription info, Long volunteerId,
            Instant now) {
        return jdbc.sql(update + " RETURNING volunteer_id, (SELECT " + REFUSAL
                        + " FROM host h LEFT JOIN volunteer v ON v.id = h.volunteer_id WHERE h.id = host.id) AS refusal")
                .paramSource(params(info).addValue("id", id).addValue("tokenHash", tokenHash)
                        .addValue("volunteer", volunteerId).addValue("now", Timestamp.from(now)))
                .query((rs, i) -> new Returning(rs.getObject("volunteer_id", Long.class), rs.getString("refusal")))
                .optional();
    }

    /** A host found by its token: {@code next} when the token is the one a rotation gave it, not yet used. */
    record Found(AuthenticatedHost host, boolean next) {}

    /** The host with this id whose token, or whose next token, has this hash. */
    Optional<Found> find(long id, byte[] tokenHash) {
        return jdbc.sql("SELECT h.id, h.apps, h.volunteer_id, h.quarantined_at IS NOT NULL AS quarantined, "
                        + REFUSAL + " AS refusal, h.token_rotation_asked_at IS NOT NULL AS rotate,"
                        + " h.next_token_hash IS NOT DISTINCT FROM :tokenHash AS next,"
                        + " coalesce(h.wasm_memory_mib, 0) AS wasm_memory_mib, h.network, "
                        + VALID_RESULTS + " AS valid_results, h.paused_at IS NOT NULL AS paused,"
                        + " h.os = '" + AuthenticatedHost.BROWSER + "' AS browser"
                        + " FROM host h LEFT JOIN volunteer v ON v.id = h.volunteer_id"
                        + " WHERE h.id = :id AND (h.token_hash = :tokenHash OR h.next_token_hash = :tokenHash)")
                .param("id", id)
                .param("tokenHash", tokenHash)
                .query((rs, i) -> new Found(new AuthenticatedHost(rs.getLong("id"),
                        List.of((String[]) rs.getArray("apps").getArray()), rs.getObject("volunteer_id", Long.class),
                        rs.getBoolean("quarantined"), rs.getString("refusal"), rs.getBoolean("rotate") && !rs.getBoolean("next"),
                        rs.getInt("wasm_memory_mib"), rs.getString("network"), rs.getLong("valid_results"),
                        rs.getBoolean("paused"), rs.getBoolean("browser")), rs.getBoolean("next")))
                .optional();
    }

    /** The host's next token is used for the first time: it becomes its token, the old one stops working. */
    boolean promote(long id, byte[] tokenHash, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET token_hash = next_token_hash, next_token_hash = NULL, token_rotation_asked_at = NULL,
                                        token_rotated_at = :now
                         WHERE id = :id AND next_token_hash = :tokenHash""")
                .param("id", id).param("tokenHash", tokenHash).param("now", Timestamp.from(now)).update() == 1;
    }

    /** Gives the host a next token (replacing one given before and never used); false when its token is revoked. */
    boolean nextToken(long id, byte[] tokenHash) {
        return jdbc.sql("UPDATE host SET next_token_hash = :tokenHash WHERE id = :id AND token_hash IS NOT NULL")
                .param("id", id).param("tokenHash", tokenHash).update() == 1;
    }

    /** Asks the host to rotate its token (a request pending stays as it was); false when there is no such host. */
    boolean askRotation(long id, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET token_rotation_asked_at = coalesce(token_rotation_asked_at, :now)
                         WHERE id = :id""")
                .param("id", id).param("now", Timestamp.from(now)).update() == 1;
    }

    /** Revokes the host's token (and a next one); false when there is no such host. */
    boolean revoke(long id, Instant now) {
        return jdbc.sql("""
                        UPDATE host SET token_hash = NULL, next_token_hash = NULL, token_rotation_asked_at = NULL,
                                        token_revoked_at = :now
                         WHERE id = :id""")
                .param("id", id).param("now", Timestamp.from(now)).update() == 1;
    }

    /**
     * A host whose token was revoked registers again with its volunteer's key: it gets a new token and stays the same
     * host. Empty when the host's token is not revoked, or it is not {@code volunteerId}'s.
     */
    Optional<Returning> reattach(long id, byte[] tokenHash, HostDescription info, long volunteerId, Instant now) {
        return returning("""
                        UPDATE host SET token_hash = :tokenHash, token_revoked_at = NULL, name = :name, cores = :cores,
                                        memory_bytes = :memory, os = :os, arch = :arch, worker_version = :version,
                                        protocol_version = :protocol, apps = :apps, peer_address = :peerAddress,
                                        wasm_memory_mib = :wasmMemory, last_contact_at = :now
                         WHERE id = :id AND token_revoked_at IS NOT NULL AND volunteer_id = :volunteer""",
                id, tokenHash, info, volunteerId, now);
    }

    /** Whether the host's token was revoked and it belongs to a volunteer (whose key brings it back). */
    boolean revokedOfVolunteer(long id) {
        return jdbc.sql("SELECT count(*) FROM host WHERE id = :id AND token_revoked_at IS NOT NULL AND volunteer_id IS NOT NULL")
                .param("id", id).query(Long.class).single() > 0;
    }

    /** Why a volunteer's hosts, and registrations with their key, are refused; empty when they are not. */
    Optional<String> volunteerRefusal(long volunteerId) {
        return jdbc.sql("""
                        SELECT format('volunteer %s is banned by the project''s admin: %s', id, ban_reason)
                          FROM volunteer WHERE id = :id AND banned_at IS NOT NULL""")
                .param("id", volunteerId).query(String.class).optional();
    }

    List<HostView> page(long offset, int limit) {
        return page(Order.ID, null, offset, limit);
    }

    /** How a listing of hosts is ordered. */
    public enum Order {
        ID("id"),
        /** most recently heard from first */
        RECENT("last_contact_at DESC, id"),
        /** most results found invalid first (by the counts folded so far; the rows show exact counts) */
        INVALID("invalid_count DESC, id");

        /** over the host table */
        private final String sql;
        /** over the hosts taken from it, aliased h */
        private final String outer;

        Order(String sql) {
            this.sql = sql;
            this.outer = "h." + sql.replace(", id", ", h.id");
        }
    }

    /** A page of hosts in the given order; only those heard from since {@code heardSince} unless it is null. */
    public List<HostView> page(Order order, Instant heardSince, long offset, int limit) {
        Map<String, Object> params = new HashMap<>(Map.of("offset", offset, "limit", limit));
        String heard = "";
        if (heardSince != null) {
            heard = " WHERE last_contact_at >= :since";
            params.put("since", Timestamp.from(heardSince));
        }
        return views("SELECT * FROM host" + heard + " ORDER BY " + order.sql + " OFFSET :offset LIMIT :limit", params,
                order);
    }

    Optional<HostView> view(long id) {
        return views("SELECT * FROM host WHERE id = :id", Map.of("id", id), Order.ID).stream().findFirst();
    }

    /** The hosts of a volunteer, oldest first. */
    public List<HostView> ofVolunteer(long volunteerId) {
        return views("SELECT * FROM host WHERE volunteer_id = :volunteer", Map.of("volunteer", volunteerId), Order.ID);
    }

    /** The hosts {@code hosts} selects, as views in the given order, with what validation added since the last fold. */
    private List<HostView> views(String hosts, Map<String, Object> params, Order order) {
        return jdbc.sql("SELECT h.id, h.name, cores, memory_bytes, os, arch, worker_version, apps, wasm_memory_mib, "
                        + "volunteer_id, "
                        + "v.name AS volunteer_name, " + VIEW_COUNTS + ", recent_valid, recent_invalid, recent_errors,"
                        + " recent_timed_out, quarantined_at, quarantine_reason, h.banned_at, h.ban_reason,"
                        + " CASE WHEN quota_day = CAST(:today AS date) THEN quota_used ELSE 0 END AS quota_used,"
                        + " h.created_at, last_contact_at, peer_address, peer_banned_at, token_rotation_asked_at, token_rotated_at,"
                        + " token_revoked_at, protocol_version"
                        + " FROM (" + hosts + ") h " + UNFOLDED + " LEFT JOIN volunteer v ON v.id = h.volunteer_id"
                        + " ORDER BY " + order.outer)
                .params(params)
                .param("today", java.sql.Date.valueOf(HostStanding.day(clock.instant())))
                .query(this::viewOf)
                .list();
    }

    /** A host's counters with its unfolded tally rows added ({@link #UNFOLDED} joined as t). */
    public static final String VIEW_COUNTS = """
             valid_count + coalesce(t.valid, 0) AS valid_count,
             invalid_count + coalesce(t.invalid, 0) AS invalid_count,
             error_count + coalesce(t.errors, 0) AS error_count,
             timeout_count + coalesce(t.timed_out, 0) AS timeout_count,
             h.credit + coalesce(t.credit, 0) AS credit""";

    /** Each host h's tally rows not yet folded, summed, as t. */
    public static final String UNFOLDED = """
             LEFT JOIN LATERAL (SELECT sum(valid) AS valid, sum(invalid) AS invalid, sum(errors) AS errors,
                                       sum(timed_out) AS timed_out, sum(credit) AS credit
                                  FROM host_tally WHERE host_id = h.id) t ON true""";

    long count() {
        return jdbc.sql("SELECT count(*) FROM host").query(Long.class).single();
    }

    /** The host's folded credit (0 for an unknown host); one primary-key read. */
    double credit(long id) {
        return jdbc.sql("SELECT credit FROM host WHERE id = :id").param("id", id).query(Double.class).optional()
                .orElse(0.0);
    }

    /** Hosts registered, heard from lately, quarantined, banned (by the admin) and retired (by their volunteers). */
    public record Counts(long total, long heard, long quarantined, long banned, long retired) {}

    /** How many hosts there are, were heard from since {@code heardSince}, are quarantined, banned and retired. */
    public Counts count(Instant heardSince) {
        return jdbc.sql("""
                        SELECT count(*), count(*) FILTER (WHERE last_contact_at >= :since),
                               count(*) FILTER (WHERE quarantined_at IS NOT NULL), count(*) FILTER (WHERE banned_at IS NOT NULL),
                               count(*) FILTER (WHERE retired_at IS NOT NULL)
                          FROM host""")
                .param("since", Timestamp.from(heardSince))
                .query((rs, i) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .single();
    }

    /** What a batch of judgements adds to one host's counters and credit. */
    public static final class Tally {
        int valid;
        int invalid;
        int errors;
        int timedOut;
        double credit;

        public void add(Outcome outcome, double credit) {
            switch (outcome) {
                case VALID -> valid++;
                case INVALID -> invalid++;
                case ERROR -> errors++;
                case TIMED_OUT -> timedOut++;
            }
            this.credit += credit;
        }
    }

    /**
     * Appends judgements to the hosts' tallies in one statement (in the caller's transaction); they count in
     * every host view at once and are folded into the host rows by {@link HostStanding#fold}.
     */
    public void record(Map<Long, Tally> tallies) {
        if (tallies.isEmpty()) {
            return;
        }
        int n = tallies.size();
        Long[] ids = new Long[n];
        Integer[] valid = new Integer[n];
        Integer[] invalid = new Integer[n];
        Integer[] errors = new Integer[n];
        Integer[] timedOut = new Integer[n];
        Double[] credit = new Double[n];
        int i = 0;
        for (Map.Entry<Long, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            ids[i] = e.getKey();
            valid[i] = t.valid;
            invalid[i] = t.invalid;
            errors[i] = t.errors;
            timedOut[i] = t.timedOut;
            credit[i] = t.credit;
            i++;
        }
        jdbc.sql("""
                        INSERT INTO host_tally (host_id, valid, invalid, errors, timed_out, credit)
                        SELECT * FROM unnest(:ids, :valid, :invalid, :errors, :timedOut, :credit)""")
                .param("ids", SqlArrays.of("bigint", ids))
                .param("valid", SqlArrays.of("integer", valid))
                .param("invalid", SqlArrays.of("integer", invalid))
                .param("errors", SqlArrays.of("integer", errors))
                .param("timedOut", SqlArrays.of("integer", timedOut))
                .param("credit", SqlArrays.of("float8", credit))
                .update();
    }

    /**
     * Records when hosts were last heard from, in one statement that never waits: a host whose row another
     * transaction holds is skipped (its next contact is recorded by a later flush).
     */
    void touch(Long[] ids, Timestamp[] at) {
        jdbc.sql("""
                        UPDATE host h SET last_contact_at = GREATEST(h.last_contact_at, u.at)
                          FROM unnest(:ids, :at) AS u(id, at)
                         WHERE h.id = u.id
                           AND h.id IN (SELECT id FROM host WHERE id = ANY(:ids) ORDER BY id FOR UPDATE SKIP LOCKED)""")
                .param("ids", SqlArrays.of("bigint", ids))
                .param("at", SqlArrays.of("timestamptz", at))
                .update();
    }

    /** What a result did for its host's record. */
    public enum Outcome { VALID, INVALID, ERROR, TIMED_OUT }

    private static MapSqlParameterSource params(HostDescription info) {
        return new MapSqlParameterSource()
                .addValue("name", info.name())
                .addValue("cores", info.cores())
                .addValue("memory", info.memoryBytes())
                .addValue("os", info.os())
                .addValue("arch", info.arch())
                .addValue("version", info.workerVersion())
                .addValue("protocol", info.protocolVersion())
                .addValue("apps", info.apps().toArray(String[]::new))
                .addValue("peerAddress", info.peerAddress())
                .addValue("wasmMemory", info.wasmMemoryMib(), java.sql.Types.INTEGER)
                .addValue("network", info.network());
    }

    /** Why the host's calls are refused (the admin banned it, or its volunteer); empty when they are not. */
    public Optional<String> refusal(long hostId) {
        return jdbc.sql("SELECT " + REFUSAL + " FROM host h LEFT JOIN volunteer v ON v.id = h.volunteer_id WHERE h.id = :id")
                .param("id", hostId).query(String.class).optional().filter(r -> r != null);
    }

    /** Where the host's PeerService listens, when it serves peers and is not banned from serving. */
    public Optional<String> peerAddress(long hostId) {
        return jdbc.sql("SELECT peer_address FROM host WHERE id = :id AND peer_banned_at IS NULL")
                .param("id", hostId).query(String.class).optional().filter(a -> a != null && !a.isEmpty());
    }

    private HostView viewOf(ResultSet rs, int row) throws SQLException {
        double valid = rs.getDouble("recent_valid");
        double invalid = rs.getDouble("recent_invalid");
        double errors = rs.getDouble("recent_errors");
        double timedOut = rs.getDouble("recent_timed_out");
        double all = valid + invalid + errors + timedOut;
        return new HostView(rs.getLong("id"), rs.getString("name"), rs.getObject("volunteer_id", Long.class),
                rs.getString("volunteer_name"), rs.getInt("cores"), rs.getLong("memory_bytes"), rs.getString("os"),
                rs.getString("arch"), rs.getString("worker_version"), rs.getObject("protocol_version", Integer.class),
                versions.outdated(rs.getObject("protocol_version", Integer.class), rs.getString("worker_version")),
                List.of((String[]) rs.getArray("apps").getArray()),
                rs.getLong("valid_count"), rs.getLong("invalid_count"), rs.getLong("error_count"),
                rs.getLong("timeout_count"), rs.getDouble("credit"),
                new HostView.Recent(round(valid), round(invalid), round(errors), round(timedOut)),
                all > 0 ? round(valid / all) : null, instant(rs, "quarantined_at"), rs.getString("quarantine_reason"),
                rs.getInt("quota_used"), instant(rs, "banned_at"), rs.getString("ban_reason"),
                instant(rs, "created_at"), instant(rs, "last_contact_at"), rs.getString("peer_address"),
                instant(rs, "peer_banned_at"), instant(rs, "token_rotation_asked_at"), instant(rs, "token_rotated_at"),
                instant(rs, "token_revoked_at"), rs.getObject("wasm_memory_mib", Integer.class));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
