package dev.starling.coordinator.peer;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.support.SqlArrays;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The peer tracker: which hosts hold which blobs, which peers a task's inputs can be fetched from, and what
 * happens when they cannot. A host holds a blob when it announced it, when it produced it as part of a
 * canonical result, or (partly, still fetching) once it was given a task that reads it: such hosts serve what
 * they verified already. Only hosts that were heard from recently, advertise a peer address and are not
 * banned from serving are offered as peers.
 */
@Component
public class Tracker {
    private static final Logger log = LoggerFactory.getLogger(Tracker.class);
    /** The host {@code h} can serve peers: it advertises an address, is not banned, was heard from lately. */
    private static final String SERVES =
            " h.peer_address IS NOT NULL AND h.peer_banned_at IS NULL AND h.last_contact_at > :alive ";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final FetchGrants grants;
    private final StarlingProperties.Peers settings;

    Tracker(JdbcClient jdbc, Clock clock, FetchGrants grants, StarlingProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.grants = grants;
        this.settings = properties.peers();
    }

    /** A peer that can serve a blob. */
    public record Holder(long hostId, String address, boolean complete) {}

    /** Where one input of one task can be fetched from, with the token that lets the host fetch it. */
    public record Offer(String blobId, long size, List<Holder> peers, boolean coordinatorHasIt, String token) {}

    /** A task being handed out and the blobs it reads. */
    public record Want(long resultId, long hostId, long jobId, List<String> blobs, Instant deadline) {}

    /**
     * The offers for each task's inputs (by result id), in the claiming transaction: the hosts become partial
     * holders of what they will fetch, so that hosts given the same blob in later batches find them as peers.
     */
    public Map<Long, List<Offer>> offer(List<Want> wants) {
        Map<Long, List<Offer>> offers = new HashMap<>();
        Set<String> blobs = new HashSet<>();
        wants.forEach(w -> blobs.addAll(w.blobs()));
        if (blobs.isEmpty()) {
            return offers;
        }
        Instant now = clock.instant();
        Map<String, BlobInfo> info = blobInfo(blobs, now);
        for (Want w : wants) {
            List<Offer> list = new ArrayList<>(w.blobs().size());
            Instant expires = min(w.deadline(), now.plus(settings.grantTtl()));
            for (String blob : w.blobs()) {
                BlobInfo b = info.getOrDefault(blob, new BlobInfo(-1, false, List.of()));
                List<Holder> peers = b.holders().stream().filter(h -> h.hostId() != w.hostId())
                        .limit(settings.peersPerTask()).toList();
                list.add(new Offer(blob, b.size(), peers, b.coordinatorHasIt(),
                        grants.sign(blob, w.hostId(), w.jobId(), expires)));
            }
            offers.put(w.resultId(), list);
        }
        List<Long> hosts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Offered> offered = new ArrayList<>();
        for (Want w : wants) {
            for (String blob : w.blobs()) {
                hosts.add(w.hostId());
                ids.add(blob);
            }
            for (Offer o : offers.get(w.resultId())) {
                offered.add(new Offered(w.hostId(), o.blobId(), o.peers().stream().map(Holder::hostId).toList()));
            }
        }
        remember(offered, now);
        jdbc.sql("""
                        INSERT INTO blob_holder (blob_id, host_id, complete, since)
                        SELECT DISTINCT u.blob, u.host, false, CAST(:now AS timestamptz)
                          FROM unnest(:blobs, :hosts) AS u(blob, host)
                        ON CONFLICT (blob_id, host_id) DO NOTHING""")
                .param("blobs", SqlArrays.of("text", ids.toArray(String[]::new)))
                .param("hosts", SqlArrays.of("bigint", hosts.toArray(Long[]::new)))
                .param("now", Timestamp.from(now))
                .update();
        return offers;
    }

    private record BlobInfo(long size, boolean coordinatorHasIt, List<Holder> holders) {}

    /** Size, whether the coordinator stores it, and live serving holders (complete ones first) of each blob. */
    private Map<String, BlobInfo> blobInfo(Set<String> blobs, Instant now) {
        String[] ids = blobs.toArray(String[]::new);
        Map<String, Long> stored = new HashMap<>();
        jdbc.sql("SELECT id, size FROM blob WHERE id = ANY(:ids)")
                .param("ids", SqlArrays.of("text", ids))
                .query((rs, i) -> stored.put(rs.getString(1), rs.getLong(2))).list();
        Map<String, Long> produced = new HashMap<>();
        jdbc.sql("SELECT DISTINCT blob_id, size FROM result_blob WHERE blob_id = ANY(:ids)")
                .param("ids", SqlArrays.of("text", ids))
                .query((rs, i) -> produced.put(rs.getString(1), rs.getLong(2))).list();
        Map<String, List<Holder>> holders = new HashMap<>();
        jdbc.sql("""
                        SELECT bh.blob_id, bh.host_id, h.peer_address, bh.complete
                          FROM blob_holder bh JOIN host h ON h.id = bh.host_id
                         WHERE bh.blob_id = ANY(:ids) AND """ + SERVES + """

                         ORDER BY bh.complete DESC, random()""")
                .param("ids", SqlArrays.of("text", ids))
                .param("alive", aliveSince(now))
                .query((rs, i) -> holders.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Holder(rs.getLong(2), rs.getString(3), rs.getBoolean(4))))
                .list();
        Map<String, BlobInfo> info = new HashMap<>();
        for (String id : blobs) {
            Long size = stored.containsKey(id) ? stored.get(id) : produced.getOrDefault(id, -1L);
            info.put(id, new BlobInfo(size, stored.containsKey(id), holders.getOrDefault(id, List.of())));
        }
        return info;
    }

    /**
     * Of the given blobs, those nobody can serve right now: not stored by the coordinator and with no live,
     * serving, complete holder. Work units reading them wait (their producers are being re-run).
     */
    public Set<String> unavailable(Collection<String> blobs) {
        if (blobs.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("""
                        SELECT u.id FROM unnest(:ids) AS u(id)
                         WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.id = u.id)
                           AND NOT EXISTS (SELECT 1 FROM blob_holder bh JOIN host h ON h.id = bh.host_id
                                            WHERE bh.blob_id = u.id AND bh.complete AND """ + SERVES + ")")
                .param("ids", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("alive", aliveSince(clock.instant()))
                .query(String.class).list());
    }

    /** Of the given hosts, which of the given blobs each holds in full. */
    public Map<Long, Set<String>> held(Collection<Long> hosts, Collection<String> blobs) {
        Map<Long, Set<String>> held = new HashMap<>();
        if (hosts.isEmpty() || blobs.isEmpty()) {
            return held;
        }
        jdbc.sql("""
                        SELECT host_id, blob_id FROM blob_holder
                         WHERE host_id = ANY(:hosts) AND blob_id = ANY(:blobs) AND complete""")
                .param("hosts", SqlArrays.of("bigint", hosts.toArray(Long[]::new)))
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .query((rs, i) -> held.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getString(2)))
                .list();
        return held;
    }

    /**
     * A host's announcement, in one transaction: blobs it now holds in full, blobs it dropped, (when
     * {@code complete}) nothing else, and its complaints about peers.
     */
    @Transactional
    public void announce(long hostId, Collection<String> holding, Collection<String> dropped, boolean complete,
            List<Complaint> complaints) {
        Instant now = clock.instant();
        complain(hostId, complaints);
        if (complete) {
            jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host AND NOT (blob_id = ANY(:holding))")
                    .param("host", hostId).param("holding", SqlArrays.of("text", holding.toArray(String[]::new)))
                    .update();
        }
        if (!dropped.isEmpty()) {
            jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host AND blob_id = ANY(:dropped)")
                    .param("host", hostId).param("dropped", SqlArrays.of("text", dropped.toArray(String[]::new)))
                    .update();
        }
        if (!holding.isEmpty()) {
            jdbc.sql("""
                            INSERT INTO blob_holder (blob_id, host_id, complete, since)
                            SELECT DISTINCT u.blob, :host, true, CAST(:now AS timestamptz) FROM unnest(:holding) AS u(blob)
                            ON CONFLICT (blob_id, host_id) DO UPDATE SET complete = true""")
                    .param("host", hostId).param("holding", SqlArrays.of("text", holding.toArray(String[]::new)))
                    .param("now", Timestamp.from(now))
                    .update();
        }
    }

    /** The peers a host was offered for one blob. */
    record Offered(long hostId, String blobId, List<Long> peers) {}

    /**
     * Remembers whom each host was offered as a peer for which blob (for {@code complaint-window}): complaints about
     * a peer count only from hosts that were sent to it. One row per host and blob, its peers merged.
     */
    private void remember(List<Offered> offered, Instant now) {
        List<Long> hosts = new ArrayList<>();
        List<String> blobs = new ArrayList<>();
        List<Long> peers = new ArrayList<>();
        for (Offered o : offered) {
            for (long peer : o.peers()) {
                hosts.add(o.hostId());
                blobs.add(o.blobId());
                peers.add(peer);
            }
        }
        if (peers.isEmpty()) {
            return;
        }
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

    /** The coordinator sent {@code hostId} to {@code seeds} for a chunk of {@code blobId} (super-seeding). */
    public void seeded(long hostId, String blobId, List<Long> seeds) {
        remember(List.of(new Offered(hostId, blobId, seeds)), clock.instant());
    }

    /** Forgets offers older than {@code complaint-window}, up to {@code limit} of them; returns how many. */
    int forgetOffers(int limit) {
        return jdbc.sql("""
                        DELETE FROM peer_offer
                         WHERE ctid = ANY(ARRAY(SELECT ctid FROM peer_offer WHERE offered_at < :before
                                                 LIMIT :limit FOR UPDATE SKIP LOCKED))""")
                .param("before", Timestamp.from(clock.instant().minus(settings.complaintWindow())))
                .param("limit", limit)
                .update();
    }

    /**
     * A complaint: {@code accused} served {@code reporter} data of {@code blobId} that failed verification.
     *
     * @param chunk the chunk that did not match its leaf hash (0 for a manifest)
     */
    public record Complaint(long accused, String blobId, int chunk, String reason, Kind kind) {

        /** What failed verification: only what the bytes themselves prove is a complaint. */
        public enum Kind { BAD_CHUNK, BAD_MANIFEST }
    }

    /**
     * Records complaints; a host is banned from serving (and no longer offered as a peer) once hosts of {@code
     * complaint-quorum} distinct volunteers complained of it, other than its own volunteer (an anonymous host counts
     * as a volunteer of its own). Complaints can be forged, so one counts only from a host that the tracker offered
     * the accused for that blob within {@code complaint-window}: a volunteer cannot get a peer banned with hosts of
     * their own, nor accuse a peer they never fetched from. Returns how many complaints counted.
     */
    int complain(long reporter, List<Complaint> complaints) {
        Instant now = clock.instant();
        Set<Long> accused = new HashSet<>();
        int counted = 0;
        for (Complaint c : complaints) {
            if (c.accused() == reporter) {
                continue;
            }
            int rows = jdbc.sql("""
                            INSERT INTO peer_complaint (accused_host_id, reporter_host_id, blob_id, chunk, reason, at, kind)
                            SELECT :accused, :reporter, :blob, :chunk, :reason, :now, :kind
                             WHERE EXISTS (SELECT 1 FROM peer_offer o
                                            WHERE o.host_id = :reporter AND o.blob_id = :blob AND :accused = ANY(o.peers)
                                              AND o.offered_at >= :since)
                            ON CONFLICT DO NOTHING""")
                    .param("accused", c.accused()).param("reporter", reporter).param("blob", c.blobId())
                    .param("chunk", c.chunk()).param("reason", c.reason()).param("now", Timestamp.from(now))
                    .param("kind", c.kind().name())
                    .param("since", Timestamp.from(now.minus(settings.complaintWindow())))
                    .update();
            if (rows > 0) {
                accused.add(c.accused());
                counted++;
            }
        }
        if (counted < complaints.size()) {
            log.debug("Host {} complained of peers it was not offered (or itself): {} of {} complaints ignored",
                    reporter, complaints.size() - counted, complaints.size());
        }
        for (long host : accused) {
            // complaints from before V45 have no kind: nobody checked that their reporters were offered the accused
            List<Long> banned = jdbc.sql("""
                            UPDATE host h SET peer_banned_at = :now
                             WHERE h.id = :host AND h.peer_banned_at IS NULL
                               AND (SELECT count(DISTINCT coalesce(r.volunteer_id, -r.id))
                                      FROM peer_complaint c JOIN host r ON r.id = c.reporter_host_id
                                     WHERE c.accused_host_id = :host AND c.kind IS NOT NULL
                                       AND (r.volunteer_id IS NULL OR h.volunteer_id IS NULL
                                            OR r.volunteer_id <> h.volunteer_id)) >= :quorum
                            RETURNING h.id""")
                    .param("host", host).param("now", Timestamp.from(now)).param("quorum", settings.complaintQuorum())
                    .query(Long.class).list();
            if (!banned.isEmpty()) {
                jdbc.sql("DELETE FROM blob_holder WHERE host_id = :host").param("host", host).update();
                log.warn("Host {} is banned from serving peers: hosts of {} or more volunteers it was offered to "
                        + "received bad data from it", host, settings.complaintQuorum());
            }
        }
        return counted;
    }

    /**
     * Host {@code reporter} could fetch the given blobs (inputs of its task sent at {@code sentAt}) from nobody: the
     * holders it was offered for them that held them already then are forgotten (they are gone, or unreachable), and
     * a blob that no one holds any more is re-created by running its producing work unit again (lineage). Holders it
     * was never offered are not its to judge. Returns the work units given a new replica.
     */
    public List<Long> unreachable(long reporter, Collection<String> blobs, Instant sentAt) {
        if (blobs.isEmpty()) {
            return List.of();
        }
        jdbc.sql("""
                        DELETE FROM blob_holder bh
                         USING peer_offer o
                         WHERE o.host_id = :reporter AND o.blob_id = ANY(:ids)
                           AND bh.blob_id = o.blob_id AND bh.host_id = ANY(o.peers) AND bh.since <= :sent""")
                .param("reporter", reporter).param("ids", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("sent", Timestamp.from(sentAt)).update();
        return recreate(unavailable(blobs));
    }

    /**
     * Re-creates lost intermediate blobs (lineage): each one's producing work unit gets one more replica, unless
     * one is on its way already; its result is judged against the canonical one, and its host then holds the
     * blobs. Returns the work units given a replica.
     */
    public List<Long> recreate(Set<String> lost) {
        if (lost.isEmpty()) {
            return List.of();
        }
        // the producer of a lost blob: the validated work unit whose canonical result stored it, unless a replica
        // of it is on its way already
        List<Long> rerun = jdbc.sql("""
                        INSERT INTO result (work_unit_id, job_id, app, priority, created_at, reads_blobs)
                        SELECT w.id, w.job_id, j.app, j.priority, :now, cardinality(w.blobs) > 0
                          FROM work_unit w JOIN job j ON j.id = w.job_id
                         WHERE w.state = 'VALIDATED' AND j.state IN ('QUEUED', 'RUNNING')
                           AND w.id IN (SELECT rb.work_unit_id FROM result_blob rb
                                          JOIN work_unit p ON p.id = rb.work_unit_id AND p.canonical_result_id = rb.result_id
                                         WHERE rb.blob_id = ANY(:ids))
                           AND NOT EXISTS (SELECT 1 FROM result r WHERE r.work_unit_id = w.id
                                              AND r.state IN ('UNSENT', 'IN_PROGRESS'))
                        RETURNING work_unit_id""")
                .param("ids", SqlArrays.of("text", lost.toArray(String[]::new)))
                .param("now", Timestamp.from(clock.instant()))
                .query(Long.class).list();
        if (!rerun.isEmpty()) {
            log.info("Blob(s) {} are held by no reachable host: re-running work unit(s) {} that produced them", lost,
                    rerun);
        }
        return rerun;
    }

    /** Records the blobs stored by reported results (result id to its produced blobs). */
    public void produced(Map<Long, ProducedBlobs> produced) {
        List<Long> results = new ArrayList<>();
        List<Long> workUnits = new ArrayList<>();
        List<String> blobs = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        produced.forEach((result, p) -> p.sizes().forEach((blob, size) -> {
            results.add(result);
            workUnits.add(p.workUnitId());
            blobs.add(blob);
            sizes.add(size);
        }));
        if (results.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO result_blob (result_id, work_unit_id, blob_id, size)
                        SELECT * FROM unnest(:results, :wus, :blobs, :sizes) ON CONFLICT DO NOTHING""")
                .param("results", SqlArrays.of("bigint", results.toArray(Long[]::new)))
                .param("wus", SqlArrays.of("bigint", workUnits.toArray(Long[]::new)))
                .param("blobs", SqlArrays.of("text", blobs.toArray(String[]::new)))
                .param("sizes", SqlArrays.of("bigint", sizes.toArray(Long[]::new)))
                .update();
    }

    /** The blobs one reported result stored, with their sizes. */
    public record ProducedBlobs(long workUnitId, LinkedHashMap<String, Long> sizes) {}

    /**
     * The hosts of the given valid results hold the blobs those results stored, when their output hash equals
     * their work unit's canonical one (the quorum vouched for exactly those bytes).
     */
    public void canonicalHolders(Collection<Long> validResults) {
        if (validResults.isEmpty()) {
            return;
        }
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
                .param("now", Timestamp.from(clock.instant()))
                .update();
    }

    /** Hosts heard from after this are alive enough to be offered as peers. */
    private Timestamp aliveSince(Instant now) {
        return Timestamp.from(now.minus(settings.holderTimeout()));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

}
