package dev.starling.coordinator.blob;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.peer.Tracker;
import dev.starling.coordinator.peer.TransferLedger;
import dev.starling.coordinator.support.StrictRequests;
import dev.starling.proto.v1.BlobRequest;
import dev.starling.proto.v1.Chunk;
import dev.starling.proto.v1.FetchChunksRequest;
import dev.starling.proto.v1.FetchGrant;
import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Manifest;
import dev.starling.proto.v1.Peer;
import dev.starling.proto.v1.PeerServiceGrpc;
import dev.starling.sdk.ContentAddress;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;

/**
 * The coordinator as the seed of last resort: PeerService (peer.proto) over the blobs uploaded to it. Calls carry
 * a fetch token in the message instead of a host token (the host interceptor lets them through); every call
 * checks it ({@link FetchAuthorization}). Chunks go out under gRPC flow control, one 1 MiB chunk per message, each checked against its
 * hash before it leaves; chunks other hosts got recently are answered with those hosts ({@link SuperSeeder}).
 * Every byte served is counted for the job the token names.
 */
@Service
class PeerGrpcService implements PeerServiceGrpc.AsyncService, BindableService {
    private static final Logger log = LoggerFactory.getLogger(PeerGrpcService.class);
    static final int MAX_CHUNKS_PER_CALL = 16;

    private final BlobService blobs;
    private final FetchAuthorization access;
    private final SuperSeeder seeder;
    private final HostTable hosts;
    private final TransferLedger ledger;
    private final Tracker tracker;
    private final UploadPacer pacer;
    private final ScheduledExecutorService resumer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("starling-upload-pacer").daemon().factory());

    PeerGrpcService(BlobService blobs, FetchAuthorization access, SuperSeeder seeder, HostTable hosts,
            TransferLedger ledger, Tracker tracker, StarlingProperties properties) {
        this.tracker = tracker;
        this.pacer = new UploadPacer(properties.peers().uploadRate().toBytes(), System::nanoTime);
        this.blobs = blobs;
        this.access = access;
        this.seeder = seeder;
        this.hosts = hosts;
        this.ledger = ledger;
    }

    @PreDestroy
    void stop() {
        resumer.shutdownNow();
    }

    /** Its methods answer a body that is not their request message INVALID_ARGUMENT (gRPC would answer UNKNOWN). */
    @Override
    public ServerServiceDefinition bindService() {
        return StrictRequests.of(PeerServiceGrpc.bindService(this));
    }

    @Override
    public void getManifest(BlobRequest request, StreamObserver<Manifest> response) {
        answer(response, () -> {
            access.authorize(request.getBlobId(), request.getToken());
            Blob blob = access.stored(request.getBlobId());
            Manifest.Builder m = Manifest.newBuilder().setBlobId(blob.id()).setSize(blob.size())
                    .setChunkSize(ContentAddress.CHUNK_SIZE);
            for (int i = 0; i < blob.chunkCount(); i++) {
                m.addLeafHashes(ByteString.copyFrom(blob.leaf(i)));
            }
            return m.build();
        });
    }

    @Override
    public void getHave(BlobRequest request, StreamObserver<Have> response) {
        answer(response, () -> {
            access.authorize(request.getBlobId(), request.getToken());
            int count = access.stored(request.getBlobId()).chunkCount();
            byte[] bits = new byte[(count + 7) / 8];
            for (int i = 0; i < count; i++) {
                bits[i / 8] |= (byte) (1 << (i % 8));
            }
            return Have.newBuilder().setChunkCount(count).setBitfield(ByteString.copyFrom(bits)).setComplete(true).build();
        });
    }

    @Override
    public void fetchChunks(FetchChunksRequest request, StreamObserver<Chunk> response) {
        ServerCallStreamObserver<Chunk> call = (ServerCallStreamObserver<Chunk>) response;
        Transfer transfer;
        try {
            FetchGrant grant = access.authorize(request.getBlobId(), request.getToken());
            Blob blob = access.stored(request.getBlobId());
            if (request.getChunksCount() < 1 || request.getChunksCount() > MAX_CHUNKS_PER_CALL) {
                throw invalid("ask for 1 to " + MAX_CHUNKS_PER_CALL + " chunks per call, not " + request.getChunksCount());
            }
            Set<Integer> indexes = new LinkedHashSet<>();
            for (int index : request.getChunksList()) {
                if (index < 0 || index >= blob.chunkCount()) {
                    throw invalid("blob " + blob.id() + " has chunks 0 to " + (blob.chunkCount() - 1)
                            + "; there is no chunk " + Integer.toUnsignedString(index));
                }
                indexes.add(index);
            }
            List<Planned> plan = plan(blob, grant.getHostId(), indexes, hosts.peerAddress(grant.getHostId()));
            List<Long> seeds = plan.stream().flatMap(p -> p.seeds().stream()).map(SuperSeeder.Seed::hostId)
                    .distinct().toList();
            if (!seeds.isEmpty()) {
                tracker.seeded(grant.getHostId(), blob.id(), seeds); // it may complain of them
            }
            transfer = new Transfer(call, grant, blob, plan);
        } catch (RuntimeException e) {
            response.onError(status(e));
            return;
        }
        call.setOnCancelHandler(transfer::cancelled);
        call.setOnReadyHandler(transfer);
        transfer.run(); // onReady may have fired before the handler was set; gRPC runs these one at a time
    }

    /** What to answer for each chunk: its seeds, or (empty) its data. */
    private List<Planned> plan(Blob blob, long hostId, Set<Integer> indexes, Optional<String> peerAddress) {
        List<Planned> plan = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            plan.add(new Planned(index, seeder.seedsFor(blob.id(), index, hostId, peerAddress)));
        }
        return plan;
    }

    private record Planned(int index, List<SuperSeeder.Seed> seeds) {}

    /**
     * Sends the planned chunks while the client keeps up (isReady) and the upload cap allows, then completes and
     * records the bytes sent in one ledger row. gRPC calls {@link #run} and {@link #cancelled} one at a time for a
     * call; a transfer paused by the cap is resumed from the pacer's thread, hence the lock.
     */
    private final class Transfer implements Runnable {
        private final ServerCallStreamObserver<Chunk> call;
        private final FetchGrant grant;
        private final Blob blob;
        private final Iterator<Planned> pending;
        private long sent;
        private boolean done;
        private boolean paused;

        Transfer(ServerCallStreamObserver<Chunk> call, FetchGrant grant, Blob blob, List<Planned> plan) {
            this.call = call;
            this.grant = grant;
            this.blob = blob;
            this.pending = plan.iterator();
        }

        @Override
        public synchronized void run() {
            if (done || paused) {
                return;
            }
            try {
                while (pending.hasNext() && call.isReady()) {
                    long pause = pacer.sent(send(pending.next()));
                    if (pause > 0 && pending.hasNext()) {
                        paused = true;
                        resumer.schedule(this::resume, pause, TimeUnit.NANOSECONDS);
                        return;
                    }
                }
                if (!pending.hasNext()) {
                    finish();
                    call.onCompleted();
                }
            } catch (IOException | RuntimeException e) {
                finish();
                call.onError(status(e));
            }
        }

        private void resume() {
            synchronized (this) {
                paused = false;
            }
            run();
        }

        synchronized void cancelled() {
            finish();
        }

        /** Sends one planned answer; returns the chunk bytes it carried (0 for seeds). */
        private long send(Planned p) throws IOException {
            Chunk.Builder chunk = Chunk.newBuilder().setIndex(p.index());
            if (!p.seeds().isEmpty()) {
                p.seeds().forEach(s -> chunk.addSeeds(Peer.newBuilder().setHostId(s.hostId()).setAddress(s.address())));
                call.onNext(chunk.build());
                return 0;
            }
            byte[] data = blobs.chunk(blob, p.index());
            call.onNext(chunk.setData(UnsafeByteOperations.unsafeWrap(data)).build());
            sent += data.length;
            return data.length;
        }

        /** Counts what was sent, once, whether the call completed, failed or was cancelled. */
        private void finish() {
            if (done) {
                return;
            }
            done = true;
            if (sent == 0) {
                return;
            }
            try {
                ledger.record(grant.getJobId(), sent, 0);
            } catch (DataAccessException | TransactionException e) {
                log.warn("Could not record {} bytes served for job {}: {}", sent, grant.getJobId(), e.toString());
            }
        }
    }

    private static StatusRuntimeException invalid(String description) {
        return FetchAuthorization.invalid(description);
    }

    private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
        T value;
        try {
            value = work.get();
        } catch (RuntimeException e) {
            response.onError(status(e));
            return;
        }
        response.onNext(value);
        response.onCompleted();
    }

    /** The one place where failures of this service become statuses. */
    private static StatusRuntimeException status(Exception e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof DataAccessException || e instanceof TransactionException) {
            log.warn("Database unavailable while serving a blob", e);
            return Status.UNAVAILABLE.withDescription("the coordinator cannot reach its database right now; retry later")
                    .asRuntimeException();
        }
        if (e instanceof CorruptBlobException) {
            log.error("Blob store damaged: {}", e.getMessage());
            return Status.DATA_LOSS.withDescription(e.getMessage() + "; fetch it from peers").asRuntimeException();
        }
        log.error("Unexpected failure serving a blob", e);
        return Status.INTERNAL.withDescription(
                "the coordinator failed to serve this blob; its operator can find the cause in its log").asRuntimeException();
    }
}
