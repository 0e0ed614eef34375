package dev.starling.coordinator.peer;

import dev.starling.coordinator.support.SqlArrays;
import dev.starling.coordinator.workunit.WorkUnitTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The tracker's SQL: who holds which blob ({@code blob_holder}), the blobs results stored ({@code result_blob}),
 * complaints about peers ({@code peer_complaint}) and the bans they lead to, and lineage re-runs.
 */
@Repository
class TrackerQueries {
    /** The host {@code h} can serve peers: it advertises an address, is not banned, was heard from lately. */
    private static final String SERVES =
            " h.peer_address IS NOT NULL AND h.peer_banned_at IS NULL AND h.last_contact_at > :alive ";

    private final JdbcClient jdbc;

    TrackerQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The hosts become partial holders of the blobs (pairs in order), unless they hold them already. */
    void fetching(List<String> blobs, List<Long> hosts, Instant now) {
        jdbc.sql("""
                        INSERT INTO blob_holder (blob_id, host_id, complete, since)
                        SELECT DISTINCT u.blob, u.host, false, CAST(:now AS timestamptz)
                          FROM unnest(:blobs, :hosts) AS u(blob, host)
                        ON CONFLICT (blob_id, host_id) DO NOTHING""")
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("hosts", SqlArrays.of("bigint", hosts.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /** The sizes of those of the blobs the coordinator stores. */
    Map<String, Long> storedSizes(String[] ids) {
        Map<String, Long> stored = new HashMap<>();
        jdbc.sql("SELECT id, size FROM blob WHERE id = ANY(:ids)")
                .param("ids", SqlArrays.of("text", ids))
                .query((rs, i) -> stored.put(rs.getString(1), rs.getLong(2))).list();
        return stored;
    }

    /** The sizes of those of the blobs that tasks stored on their workers. */
    Map<String, Long> producedSizes(String[] ids) {
        Map<String, Long> produced = new HashMap<>();
        jdbc.sql("SELECT DISTINCT blob_id, size FROM result_blob WHERE blob_id = ANY(:ids)")
                .param("ids", SqlArrays.of("text", ids))
                .query((rs, i) -> produced.put(rs.getString(1), rs.getLong(2))).list();
        return produced;
    }

    /**
     * Up to {@code perBlob} holders of each blob that serve peers and were heard from after {@code alive}, complete ones
     * first, in random order: a blob held by the whole fleet (a deployed app's module) sends back a few rows, not one per
     * host.
     */
    Map<String, List<Tracker.Holder>> servingHolders(String[] ids, Instant alive, int perBlob) {
        Map<String, List<Tracker.Holder>> holders = new HashMap<>();
        jdbc.sql("""
                        SELECT blob_id, host_id, peer_address, complete
                          FROM (SELECT bh.blob_id, bh.host_id, h.peer_address, bh.complete,
                                       row_number() OVER (PARTITION BY bh.blob_id
                                                          ORDER BY bh.complete DESC, random()) AS n
                                  FROM blob_holder bh JOIN host h ON h.id = bh.host_id
                                 WHERE bh.blob_id = ANY(:ids) AND """ + SERVES + """
                               ) ranked
                         WHERE n <= :perBlob
                         ORDER BY blob_id, n""")
                .param("ids", SqlArrays.of("text", ids))
                .param("alive", Timestamp.from(alive))
                .param("perBlob", perBlob)
                .query((rs, i) -> holders.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Tracker.Holder(rs.getLong(2), rs.getString(3), rs.getBoolean(4))))
                .list();
        return holders;
    }

    /**
     * Of the blobs, those not stored by the coordinator and with no complete holder that serves peers and was heard
     * from after {@code alive}.
     */
    Set<String> unavailable(Collection<String> blobs, Instant alive) {
        return new HashSet<>(jdbc.sql("""
                        SELECT u.id FROM unnest(:ids) AS u(id)
                         WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.id = u.id)
                           AND NOT EXISTS (SELECT 1 FROM blob_holder bh JOIN host h ON h.id = bh.host_id
                                            WHERE bh.blob_id = u.id AND bh.complete AND """ + SERVES + ")")
                .param("ids", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("alive", Timestamp.from(alive))
                .query(String.class).list());
    }

    /** Of the hosts, which of the blobs each holds in full. */
    Map<Long, Set<String>> held(Collection<Long> hosts, Collection<String> blobs) {
        Map<Long, Set<String>> held = new HashMap<>();
        jdbc.sql("""
                        SELECT host_id, blob_id FROM blob_holder
                         WHERE host_id = ANY(:hosts) AND blob_id = ANY(:blobs) AND complete""")
                .param("hosts", SqlArrays.of("bigint", hosts.toArray(Long[]::new)))
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .query((rs, i) -> held.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getString(2)))
                .list();
        return held;
    }

    /** The host holds none of its blobs but {@code holding}. */
    void forgetAllBut(long hostId, Collection<String> holding) {
        jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host AND NOT (blob_id = ANY(:holding))")
                .param("host", hostId).param("holding", SqlArrays.of("text", holding.toArray(String[]::new)))
                .update();
    }

    /** The host no longer holds the blobs. */
    void forget(long hostId, Collection<String> dropped) {
        jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host AND blob_id = ANY(:dropped)")
                .param("host", hostId).param("dropped", SqlArrays.of("text", dropped.toArray(String[]::new)))
                .update();
    }

    /** The host holds the blobs in full. */
    void holdInFull(long hostId, Collection<String> holding, Instant now) {
        jdbc.sql("""
                        INSERT INTO blob_holder (blob_id, host_id, complete, since)
                        SELECT DISTINCT u.blob, :host, true, CAST(:now AS timestamptz) FROM unnest(:holding) AS u(blob)
                        ON CONFLICT (blob_id, host_id) DO UPDATE SET complete = true""")
                .param("host", hostId).param("holding", SqlArrays.of("text", holding.toArray(String[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /**
     * Records a complaint of {@code reporter} about a peer (once per accused, reporter, blob and chunk), only when the
     * tracker offered that peer to the reporter for the blob after {@code offeredSince}; whether it counted.
     */
    boolean complaint(long reporter, Tracker.Complaint c, Instant offeredSince, Instant now) {
        return jdbc.sql("""
                        INSERT INTO peer_complaint (accused_host_id, reporter_host_id, blob_id, chunk, reason, at, kind)
                        SELECT :accused, :reporter, :blob, :chunk, :reason, :now, :kind
                         WHERE EXISTS (SELECT 1 FROM peer_offer o
                                        WHERE o.host_id = :reporter AND o.blob_id = :blob AND :accused = ANY(o.peers)
                                          AND o.offered_at >= :since)
                        ON CONFLICT DO NOTHING""")
                .param("accused", c.accused()).param("reporter", reporter).param("blob", c.blobId())
                .param("chunk", c.chunk()).param("reason", c.reason()).param("now", Timestamp.from(now))
                .param("kind", c.kind().name())
                .param("since", Timestamp.from(offeredSince))
                .update() > 0;
    }

    /**
     * Bans the host from serving peers when hosts of {@code quorum} distinct volunteers other than its own (an
     * anonymous host counts as a volunteer of its own) complained of it and it is not banned yet; whether this banned
     * it. Complaints from before V45 have no kind: nobody checked that their reporters were offered the accused.
     */
    boolean banFromServing(long hostId, int quorum, Instant now) {
        List<Long> banned = jdbc.sql("""
                        UPDATE host h SET peer_banned_at = :now
                         WHERE h.id = :host AND h.peer_banned_at IS NULL
                           AND (SELECT count(DISTINCT coalesce(r.volunteer_id, -r.id))
                                  FROM peer_complaint c JOIN host r ON r.id = c.reporter_host_id
                                 WHERE c.accused_host_id = :host AND c.kind IS NOT NULL
                                   AND (r.volunteer_id IS NULL OR h.volunteer_id IS NULL
                                        OR r.volunteer_id <> h.volunteer_id)) >= :quorum
                        RETURNING h.id""")
                .param("host", hostId).param("now", Timestamp.from(now)).param("quorum", quorum)
                .query(Long.class).list();
        return !banned.isEmpty();
    }

    /** The host holds no blob any more. */
    void forgetHost(long hostId) {
        jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host").param("host", hostId).update();
    }

    /**
     * Forgets, of the holders of the blobs that the tracker offered {@code reporter}, those known as holders at
     * {@code sentAt} already.
     */
    void forgetOfferedHolders(long reporter, String[] ids, Instant sentAt) {
        jdbc.sql("""
                        DELETE FROM blob_holder bh
                         USING peer_offer o
                         WHERE o.host_id = :reporter AND o.blob_id = ANY(:ids)
                           AND bh.blob_id = o.blob_id AND bh.host_id = ANY(o.peers) AND bh.since <= :sent""")
                .param("reporter", reporter).param("ids", SqlArrays.of("text", ids))
                .param("sent", Timestamp.from(sentAt)).update();
    }

    /** Remembers that each host was offered the peers for the blob (triples in order), merged per host and blob. */
    void offered(List<Long> hosts, List<String> blobs, List<Long> peers, Instant now) {
        jdbc.sql("""
                        INSERT INTO peer_offer (host_id, blob_id, peers, offered_at)
                        SELECT u.host, u.blob, array_agg(DISTINCT u.peer), CAST(:now AS timestamptz)
                          FROM unnest(:hosts, :blobs, :peers) AS u(host, blob, peer)
                         GROUP BY u.host, u.blob
                        ON CONFLICT (host_id, blob_id) DO UPDATE
                           SET peers = ARRAY(SELECT DISTINCT p FROM unnest(peer_offer.peers || EXCLUDED.peers) AS p),
                               offered_at = EXCLUDED.offered_at""")
                .param("hosts", SqlArrays.of("bigint", hosts.toArray(Long[]::new)))
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("peers", SqlArrays.of("bigint", peers.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }

    /** Forgets up to {@code limit} offers made before {@code before}; returns how many. */
    int forgetOffersBefore(Instant before, int limit) {
        return jdbc.sql("""
                        DELETE FROM peer_offer
                         WHERE ctid = ANY(ARRAY(SELECT ctid FROM peer_offer WHERE offered_at < :before
                                                 LIMIT :limit FOR UPDATE SKIP LOCKED))""")
                .param("before", Timestamp.from(before))
                .param("limit", limit)
                .update();
    }

    /**
     * Gives one more replica to each validated work unit (of a job still running) whose canonical result stored one
     * of the blobs, unless one is on its way already; returns those work units.
     */
    List<Long> rerunProducers(Set<String> lost, Instant now) {
        return jdbc.sql("""
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at, reads_blobs, researcher_id)
                        SELECT w.id, w.job_id, {app}, j.priority, :now, cardinality(w.blobs) > 0,
                               coalesce(j.researcher_id, 0)
                          FROM work_unit w JOIN job j ON j.id = w.job_id
                         WHERE w.state = 'VALIDATED' AND j.state IN ('QUEUED', 'RUNNING')
                           AND w.id IN (SELECT rb.work_unit_id FROM result_blob rb
                                          JOIN work_unit p ON p.id = rb.work_unit_id AND p.canonical_result_id = rb.result_id
                                         WHERE rb.blob_id = ANY(:ids))
                           AND NOT EXISTS (SELECT 1 FROM result r WHERE r.work_unit_id = w.id
                                              AND r.state IN ('UNSENT', 'IN_PROGRESS'))
                        RETURNING work_unit_id""".replace("{app}", WorkUnitTable.APP_OF_WORK_UNIT))
                .param("ids", SqlArrays.of("text", lost.toArray(String[]::new)))
                .param("now", Timestamp.from(now))
                .query(Long.class).list();
    }

    /** Records blobs stored by reported results (rows in order: result, its work unit, blob, size). */
    void produced(List<Long> results, List<Long> workUnits, List<String> blobs, List<Long> sizes) {
        jdbc.sql("""
                        INSERT INTO result_blob (result_id, work_unit_id, blob_id, size)
                        SELECT * FROM unnest(:results, :wus, :blobs, :sizes) ON CONFLICT DO NOTHING""")
                .param("results", SqlArrays.of("bigint", results.toArray(Long[]::new)))
                .param("wus", SqlArrays.of("bigint", workUnits.toArray(Long[]::new)))
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("sizes", SqlArrays.of("bigint", sizes.toArray(Long[]::new)))
                .update();
    }

    /**
     * The hosts of the valid results hold in full the blobs those results stored, when their output hash equals their
     * work unit's canonical one.
     */
    void canonicalHolders(Collection<Long> validResults, Instant now) {
        jdbc.sql("""
                        INSERT INTO blob_holder (blob_id, host_id, complete, since)
                        SELECT rb.blob_id, r.host_id, true, :now
                          FROM result r
                          JOIN work_unit w ON w.id = r.work_unit_id
                          JOIN result c ON c.id = w.canonical_result_id AND c.output_hash = r.output_hash
                          JOIN result_blob rb ON rb.result_id = r.id
                         WHERE r.id = ANY(:ids) AND r.state = 'VALID'
                        ON CONFLICT (blob_id, host_id) DO UPDATE SET complete = true""")
                .param("ids", SqlArrays.of("bigint", validResults.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
    }
}
