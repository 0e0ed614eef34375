package dev.starling.coordinator.blob;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.researcher.ResearcherQuotas;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ContentTooLargeException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Uploaded blobs: bytes in the {@link BlobStore}, metadata in the {@code blob} table. A row is written only after
 * the bytes are complete and durable, so every recorded blob can be served. A researcher reads (and names in jobs)
 * only blobs they uploaded themselves ({@code blob_upload}); another's is "not found". The admin reads all.
 */
@Service
public class BlobService {
    private static final Logger log = LoggerFactory.getLogger(BlobService.class);

    private final BlobStore store;
    private final BlobTable table;
    private final Clock clock;
    private final long maxSize;
    private final ResearcherQuotas quotas;
    private final TransactionTemplate tx;

    BlobService(BlobStore store, BlobTable table, Clock clock, StarlingProperties properties, ResearcherQuotas quotas,
            TransactionTemplate tx) {
        this.quotas = quotas;
        this.tx = tx;
        this.store = store;
        this.table = table;
        this.clock = clock;
        this.maxSize = properties.blobs().maxSize().toBytes();
    }

    /**
     * Stores an upload's bytes, streamed (never held in memory), and records the blob. The same bytes again give
     * the same blob and keep one copy.
     *
     * @param declaredLength the body's Content-Length, or -1 when not known (chunked)
     * @throws ContentTooLargeException when the body is (or turns out to be) larger than {@code starling.blobs.max-size}
     */
    public Blob upload(InputStream body, long declaredLength, Caller caller) throws IOException {
        String tooLarge = "a blob may have at most " + describe(maxSize) + " (starling.blobs.max-size)";
        if (declaredLength > maxSize) {
            throw new ContentTooLargeException(tooLarge + "; this one has " + describe(declaredLength));
        }
        Optional<Long> owner = caller.owner();
        if (owner.isPresent() && declaredLength > 0) {
            quotas.checkFits(owner.get(), declaredLength); // before the body is read, when its length says so
        }
        StoredBlob stored = store.put(new LimitedInput(body, maxSize, tooLarge));
        return tx.execute(s -> {
            owner.ifPresent(researcher -> quotas.checkStored(researcher, stored.id(), stored.size()));
            if (table.insert(stored, clock.instant())) {
                AfterCommit.run(() -> log.info("Blob {} stored ({})", stored.id(), describe(stored.size())));
            } else {
                table.touch(stored.id(), clock.instant()); // stored again: its grace before collection starts again
            }
            owner.ifPresent(researcher -> table.uploadedBy(stored.id(), researcher));
            return table.find(stored.id()).orElseThrow();
        });
    }

    /**
     * Stores bytes the coordinator made, or took from a result (a line index, a task's output file), as a blob, and
     * notes {@code researcherId} (null: nobody but the admin) as one who may read it. The same bytes again change
     * nothing but that note.
     */
    public Blob keep(InputStream content, Long researcherId) throws IOException {
        StoredBlob stored = store.put(content);
        if (!table.insert(stored, clock.instant())) {
            table.touch(stored.id(), clock.instant());
        }
        if (researcherId != null) {
            table.uploadedBy(stored.id(), researcherId);
        }
        return table.find(stored.id()).orElseThrow();
    }

    /** A stored blob's bytes, to read once through (close the stream). */
    public InputStream open(String id) throws IOException {
        return store.resource(id).getInputStream();
    }

    /**
     * Deletes the bytes of blobs whose rows the blob collector deleted (after its transaction committed: a crash in
     * between leaves bytes without a row, which nothing serves and the next collection of the same id removes).
     */
    public void deleteBytes(Collection<String> ids) {
        for (String id : ids) {
            try {
                store.delete(id);
            } catch (IOException e) {
                log.warn("Cannot delete the bytes of blob {}: {}", id, e.toString());
            }
        }
    }

    /** {@code length} bytes of a stored blob from {@code offset}. */
    public byte[] read(String id, long offset, int length) throws IOException {
        return store.read(id, offset, length);
    }

    /**
     * The blob a client names.
     *
     * @throws BadRequestException when {@code id} is not a content address
     * @throws NotFoundException when no such blob is stored
     */
    public Blob get(String id, Caller caller) {
        if (!ContentAddress.isValid(id)) {
            throw new BadRequestException("id", "must be a blob id, sha256:<64 lower-case hex digits>, got '" + id + "'");
        }
        return table.find(id).filter(b -> readable(Set.of(id), caller).contains(id))
                .orElseThrow(() -> new NotFoundException("no blob " + id + " is stored here"));
    }

    public Optional<Blob> find(String id) {
        return ContentAddress.isValid(id) ? table.find(id) : Optional.empty();
    }

    /**
     * Which of the given blobs the coordinator stores (and can serve itself), with their sizes; the others are
     * missing from the map.
     */
    public Map<String, Long> stored(Collection<String> ids) {
        return table.sizes(ids);
    }

    /**
     * The blob ids a job's parameters name (anywhere in the JSON), share-locked for the rest of the submitting
     * transaction so the blob collector cannot take them away under it; returns those no longer stored.
     */
    public Set<String> pinNamed(String paramsJson) {
        Set<String> named = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = BLOB_ID.matcher(paramsJson);
        while (m.find()) {
            named.add(m.group());
        }
        Set<String> missing = new java.util.LinkedHashSet<>(named);
        missing.removeAll(table.pin(named));
        return missing;
    }

    private static final java.util.regex.Pattern BLOB_ID = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    /** Which of the given blobs are stored and the caller may read. */
    public Set<String> readable(Collection<String> ids, Caller caller) {
        Optional<Long> owner = caller.owner();
        return owner.isEmpty() ? table.sizes(ids).keySet() : table.uploaded(ids, owner.get());
    }

    /** The blob's bytes, for a download. */
    Resource content(Blob blob) throws IOException {
        return store.resource(blob.id());
    }

    /**
     * One chunk of a blob, checked against its leaf hash.
     *
     * @throws CorruptBlobException when the stored bytes do not match
     */
    byte[] chunk(Blob blob, int index) throws IOException {
        byte[] bytes = store.read(blob.id(), blob.chunkOffset(index), blob.chunkLength(index));
        if (!MessageDigest.isEqual(ChunkHasher.sha256().digest(bytes), blob.leaf(index))) {
            throw new CorruptBlobException("chunk " + index + " of blob " + blob.id()
                    + " does not match its hash: the coordinator's blob store lost or changed it");
        }
        return bytes;
    }

    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return bytes + " bytes (" + (value == Math.rint(value) ? Long.toString((long) value)
                : String.format(java.util.Locale.ROOT, "%.1f", value)) + " " + units[unit] + ")";
    }
}
