package dev.starling.worker.peer;

import dev.starling.proto.v1.BlobSource;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.Task;
import dev.starling.worker.config.DataPlaneConfig;
import dev.starling.worker.config.Tuning;
import dev.starling.worker.config.WorkerConfig;
import dev.starling.worker.control.NetworkHours;
import dev.starling.worker.fault.CorruptChunks;
import dev.starling.worker.fault.Fault;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.transfer.BlobFetcher;
import dev.starling.worker.peer.transfer.FetchTokens;
import dev.starling.worker.peer.transfer.PeerChannels;
import dev.starling.worker.peer.transfer.PeerServer;
import dev.starling.worker.peer.transfer.RateLimiter;
import dev.starling.worker.session.Backoff;
import dev.starling.worker.session.CoordinatorClient;
import dev.starling.worker.session.Lifecycle;
import dev.starling.worker.session.ProtocolInterceptor;
import dev.starling.worker.session.Session;
import dev.starling.worker.support.ByteSizes;
import dev.starling.worker.tasks.PeerPlane;
import dev.starling.worker.tasks.TaskBlobs;
import dev.starling.worker.tasks.TaskRunner;
import io.grpc.Channel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of the peer-to-peer data plane, assembled: the blob cache ({@code <work-dir>/blobs}), the
 * PeerService other workers fetch from (unless the volunteer opted out or the worker is behind NAT), the
 * fetcher that gets tasks' inputs, and what the coordinator's tracker must hear (the {@link Announcer}). It opens
 * before the worker registers (the registration carries the peer address) and closes after everything else
 * stopped. The worker's core sees it as a {@link PeerPlane} only.
 */
public final class DataPlane implements PeerPlane, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

    private final DataPlaneConfig config;
    private final Tuning tuning;
    private final Announcements announcements = new Announcements();
    private final FetchTokens tokens;
    private final BlobCache cache;
    private final PeerServer server; // null when it serves no peers
    private final String peerAddress;
    private volatile PeerChannels peerChannels;
    private volatile BlobFetcher fetcher; // read by the summary thread
    private volatile NetworkHours network;

    private DataPlane(WorkerConfig worker, Tuning tuning, Clock clock) {
        this.config = worker.dataPlane();
        this.tuning = tuning;
        this.tokens = new FetchTokens(clock);
        Path dir = worker.workDir().resolve("blobs");
        this.cache = BlobCache.open(dir, config.cacheBytes(), announcements, clock);
        warnIfDiskIsSmaller(dir);
        if (config.serves()) {
            UnaryOperator<byte[]> outgoing = UnaryOperator.identity();
            if (worker.fault().equals(Optional.of(Fault.CORRUPT_CHUNKS))) {
                log.warn("Injecting fault '{}': this worker serves peers corrupted chunks on purpose", Fault.CORRUPT_CHUNKS.option());
                outgoing = new CorruptChunks();
            }
            this.server = PeerServer.start(config.peerPort(), cache, tokens, RateLimiter.of(config.uploadBytesPerSecond()),
                    outgoing);
            this.peerAddress = AdvertisedAddress.of(config.advertiseHost(), server.port(), worker.coordinator());
            log.info("Peers reach this worker at {}", peerAddress);
        } else {
            this.server = null;
            this.peerAddress = "";
            log.info(config.serving() == DataPlaneConfig.Serving.NO_SERVE
                    ? "Serving peers is switched off (--no-serve): this worker fetches blobs but serves none"
                    : "Behind NAT (--behind-nat): this worker accepts no peer connections; it fetches from the peers"
                            + " it can reach and from the coordinator");
        }
    }

    /**
     * Opens the cache and starts serving peers.
     *
     * @throws java.io.UncheckedIOException when the cache directory or the peer port cannot be used
     */
    public static DataPlane open(WorkerConfig worker, Tuning tuning, Clock clock) {
        return new DataPlane(worker, tuning, clock);
    }

    @Override
    public String peerAddress() {
        return peerAddress;
    }

    /** Every registration brings the key fetch tokens are checked with, and makes the tracker hear everything. */
    @Override
    public void registered(RegisterResponse response) {
        if (response.getGrantPublicKey().isEmpty()) {
            log.warn("The coordinator sent no key to check fetch tokens with: peers' requests are refused");
        } else {
            try {
                tokens.trust(response.getGrantPublicKey().toByteArray());
            } catch (IllegalArgumentException e) {
                log.warn("Peers' requests are refused: {}", e.getMessage());
            }
        }
        announcements.registered();
        if (!peerAddress.isEmpty() && response.hasPeerAddress()) {
            // the coordinator sends peers to the address it sees this worker connect from, with our port
            if (response.getPeerAddress().isEmpty()) {
                log.warn("The coordinator offers this worker to no peer: it connects from a private or loopback address"
                        + " the project does not offer (it still fetches from peers)");
            } else {
                log.info("Peers are sent to {} (this worker serves on port {})", response.getPeerAddress(),
                        peerAddress.substring(peerAddress.lastIndexOf(':') + 1));
            }
        }
    }

    /**
     * Starts fetching, once registered: the coordinator's PeerService is called on the worker's own channel to
     * it (with the host's credentials); peers on channels of their own, which never carry them. Inputs are fetched
     * within the network hours only.
     */
    public void startFetching(Channel coordinator, Session session, NetworkHours network) {
        this.network = network;
        peerChannels = new PeerChannels(List.of(new ProtocolInterceptor()));
        fetcher = new BlobFetcher(cache, peerChannels,
                () -> PeerServiceGrpc.newBlockingStub(coordinator).withOption(ProtocolInterceptor.IDENTITY, session.identity()),
                announcements::complain, () -> session.identity().hostId(), tuning.fetch(),
                RateLimiter.of(config.downloadBytesPerSecond()));
    }

    /** Once fetching started. */
    @Override
    public TaskRunner fetchingInputs(TaskRunner compute) {
        if (fetcher == null) {
            throw new IllegalStateException("the data plane fetches nothing before the worker registered");
        }
        return new InputFetchingRunner(fetcher, compute, network);
    }

    @Override
    public TaskBlobs blobsOf(Task task) {
        return new CachedTaskBlobs(cache, task.getInputsList().stream().map(BlobSource::getBlobId).toList());
    }

    /** The announce loop, which tells the coordinator's tracker what this worker holds; the caller runs it. */
    public Announcer announcer(CoordinatorClient client, Session session, Lifecycle lifecycle, Backoff backoff,
            NetworkHours network) {
        return new Announcer(client, session, announcements, cache, lifecycle, backoff, network);
    }

    @Override
    public void drop(List<String> blobIds) {
        List<String> dropped = cache.drop(blobIds);
        if (!dropped.isEmpty()) {
            log.info("Dropped {} blob(s) the coordinator no longer keeps", dropped.size());
        }
    }

    @Override
    public String summary() {
        String text = "blobs held " + ByteSizes.format(cache.usedBytes()) + " of " + ByteSizes.format(cache.capacity());
        if (fetcher != null) {
            text += ", fetched " + fetcher.total();
        }
        if (server != null) {
            text += ", served " + ByteSizes.format(server.bytesServed()) + " to peers";
        }
        return text;
    }

    /** Stops fetching (running fetches end), then serving, giving calls in progress {@code timeout} to end. */
    void stop(Duration timeout) throws InterruptedException {
        if (fetcher != null) {
            fetcher.close();
            peerChannels.close();
        }
        if (server != null) {
            server.stop(timeout);
        }
    }

    @Override
    public void close() {
        try {
            stop(tuning.channelCloseTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void warnIfDiskIsSmaller(Path dir) {
        try {
            long usable = Files.getFileStore(dir).getUsableSpace();
            if (usable + cache.usedBytes() < cache.capacity()) {
                log.warn("The blob cache may hold {} (--cache-size), but only {} are free on the disk of {}",
                        ByteSizes.format(cache.capacity()), ByteSizes.format(usable), dir);
            }
        } catch (IOException e) {
            // the cache works without knowing; the warning is only a courtesy
        }
    }
}
