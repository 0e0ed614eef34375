package dev.starling.coordinator.peer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.coordinator.StarlingProperties;
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

    private final TrackerQueries queries;
    private final Clock clock;
    private final FetchGrants grants;
    private final StarlingProperties.Peers settings;
    /**
     * Sizes of blobs the coordinator stores, by id, as read lately: the claim asks for the same few (a deployed app's
     * module, a job's shared inputs) in every batch, and a stored blob's size never changes. The blob collector
     * deletes only blobs nothing references any more, which no new task reads, so an entry outliving its blob by up
     * to a minute offers nothing that is wanted.
     */
    private final Cache<String, Long> storedSizes = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    Tracker(TrackerQueries queries, Clock clock, FetchGrants grants, StarlingProperties properties) {
        this.queries = queries;
        this.clock = clock;
        this.grants = grants;
        this.settings = properties.peers();
    }

    /** A peer that can serve a blob. */
    public record Holder(long hostId, String address, boolean complete) {}

    /** Where one input of one task can be fetched from, with the token that lets the host fetch it. */
    public record Offer(String blobId, long size, List<Holder> peers, boolean coordinatorHasIt, String token) {}

    /**
     * A task being handed out and the blobs it reads; {@code held}: those of them the host holds in full already (it
     * announced them), for which it is offered no peers.
     */
    public record Want(long resultId, long hostId, long jobId, List<String> blobs, Instant deadline, Set<String> held) {
        boolean fetches(String blob) {
            return !held.contains(blob);
        }
    }

    /**
     * The offers for each task's inputs (by result id), in the claiming transaction: the hosts become partial
     * holders of what they will fetch, so that hosts given the same blob in later batches find them as peers.
     *
     * <p>A blob the host holds already costs only its token (usually one handed out before, {@link FetchGrants#token}):
     * no peers, no holder row, no record of an offer. A deployed app's tasks all read its module, so on a host that
     * has it this is every task but the first. Should the host have dropped it since its last announcement, it
     * fetches from the coordinator when that stores the blob, or gives the task back (INPUT_UNAVAILABLE) as it would
     * for a peer that went away.
     */
    public Map<Long, List<Offer>> offer(List<Want> wants) {
        Map<Long, List<Offer>> offers = new HashMap<>();
        Set<String> blobs = new HashSet<>();
        Set<String> fetched = new HashSet<>();
        for (Want w : wants) {
            blobs.addAll(w.blobs());
            w.blobs().stream().filter(w::fetches).forEach(fetched::add);
        }
        if (blobs.isEmpty()) {
            return offers;
        }
        Instant now = clock.instant();
        Map<String, BlobInfo> info = blobInfo(blobs, fetched, now);
        for (Want w : wants) {
            List<Offer> list = new ArrayList<>(w.blobs().size());
            Instant expires = min(w.deadline(), now.plus(settings.grantTtl()));
            for (String blob : w.blobs()) {
                BlobInfo b = info.getOrDefault(blob, new BlobInfo(-1, false, List.of()));
                List<Holder> peers = !w.fetches(blob) ? List.of() : b.holders().stream()
                        .filter(h -> h.hostId() != w.hostId()).limit(settings.peersPerTask()).toList();
                list.add(new Offer(blob, b.size(), peers, b.coordinatorHasIt(),
                        grants.token(blob, w.hostId(), w.jobId(), expires)));
            }
            offers.put(w.resultId(), list);
        }
        List<Long> hosts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Offered> offered = new ArrayList<>();
        for (Want w : wants) {
            for (Offer o : offers.get(w.resultId())) {
                if (w.fetches(o.blobId())) {
                    hosts.add(w.hostId());
                    ids.add(o.blobId());
                    offered.add(new Offered(w.hostId(), o.blobId(), o.peers().stream().map(Holder::hostId).toList()));
                }
            }
        }
        remember(offered, now);
        if (!ids.isEmpty()) {
            queries.fetching(ids, hosts, now);
        }
        return offers;
    }

    private record BlobInfo(long size, boolean coordinatorHasIt, List<Holder> holders) {}

    /**
     * Size, whether the coordinator stores it, and live serving holders (complete ones first) of each blob; holders
     * only of those in {@code fetched} (a module every host holds has as many holders as the fleet has hosts).
     */
    private Map<String, BlobInfo> blobInfo(Set<String> blobs, Set<String> fetched, Instant now) {
        Map<String, Long> stored = stored(blobs);
        String[] others = blobs.stream().filter(id -> !stored.containsKey(id)).toArray(String[]::new);
        Map<String, Long> produced = others.length == 0 ? Map.of() : queries.producedSizes(others);
        Map<String, List<Holder>> holders = fetched.isEmpty() ? Map.of()
                // one more than a task is offered: a host is never offered itself
                : queries.servingHolders(fetched.toArray(String[]::new), aliveSince(now), settings.peersPerTask() + 1);
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
        List<String> notStored = blobs.stream().filter(id -> storedSizes.getIfPresent(id) == null).toList();
        if (notStored.isEmpty()) {
            return Set.of();
        }
        return queries.unavailable(notStored, aliveSince(clock.instant()));
    }

    /** The sizes of those of the blobs the coordinator stores: from {@link #storedSizes}, the database for the rest. */
    public Map<String, Long> stored(Set<String> blobs) {
        Map<String, Long> stored = new HashMap<>(storedSizes.getAllPresent(blobs));
        if (stored.size() < blobs.size()) {
            Map<String, Long> read = queries.storedSizes(
                    blobs.stream().filter(id -> !stored.containsKey(id)).toArray(String[]::new));
            storedSizes.putAll(read);
            stored.putAll(read);
        }
        return stored;
    }

    /** Of the given hosts, which of the given blobs each holds in full. */
    public Map<Long, Set<String>> held(Collection<Long> hosts, Collection<String> blobs) {
        if (hosts.isEmpty() || blobs.isEmpty()) {
            return new HashMap<>();
        }
        return queries.held(hosts, blobs);
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
            queries.forgetAllBut(hostId, holding);
        }
        if (!dropped.isEmpty()) {
            queries.forget(hostId, dropped);
        }
        if (!holding.isEmpty()) {
            queries.holdInFull(hostId, holding, now);
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
        queries.offered(hosts, blobs, peers, now);
    }

    /** The coordinator sent {@code hostId} to {@code seeds} for a chunk of {@code blobId} (super-seeding). */
    public void seeded(long hostId, String blobId, List<Long> seeds) {
        remember(List.of(new Offered(hostId, blobId, seeds)), clock.instant());
    }

    /** Forgets offers older than {@code complaint-window}, up to {@code limit} of them; returns how many. */
    int forgetOffers(int limit) {
        return queries.forgetOffersBefore(clock.instant().minus(settings.complaintWindow()), limit);
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
            if (queries.complaint(reporter, c, now.minus(settings.complaintWindow()), now)) {
                accused.add(c.accused());
                counted++;
            }
        }
        if (counted < complaints.size()) {
            log.debug("Host {} complained of peers it was not offered (or itself): {} of {} complaints ignored",
                    reporter, complaints.size() - counted, complaints.size());
        }
        for (long host : accused) {
            if (queries.banFromServing(host, settings.complaintQuorum(), now)) {
                queries.forgetHost(host);
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
        queries.forgetOfferedHolders(reporter, blobs.toArray(String[]::new), sentAt);
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
        List<Long> rerun = queries.rerunProducers(lost, clock.instant());
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
        queries.produced(results, workUnits, blobs, sizes);
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
        queries.canonicalHolders(validResults, clock.instant());
    }

    /** Hosts heard from after this are alive enough to be offered as peers. */
    private Instant aliveSince(Instant now) {
        return now.minus(settings.holderTimeout());
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

}
