package dev.starling.worker.peer.cache;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Manifest;
import dev.starling.worker.support.ByteSizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's content-addressed blob store ({@code <work-dir>/blobs}, laid out as {@link BlobFiles} says):
 * complete blobs, and partial ones with the chunks verified so far, which a restart keeps. Every chunk is
 * verified against its leaf hash before it is written, and again before it is read for a peer.
 *
 * <p>The cache holds at most {@code capacity} bytes (a partial blob counts with its full size, since it
 * will grow to it). To make room it evicts the least recently used blobs, but never a pinned one
 * ({@link #pin}): when pinned blobs alone need more than the capacity, the cache runs over it until they
 * are unpinned, because refusing the running work its inputs would help nobody. Evictions and completions
 * are told to the {@link CacheListener}, outside the cache's lock.
 *
 * <p>Why one class of 500 lines: the entries, the pins and the bytes used are guarded by the cache's one lock, and
 * every operation (pin, write a chunk, store, make room, load at start) reads and changes them together, so that
 * room is never made by evicting a pinned or half-written blob. The file layout and its crash-safe writes are in
 * {@link BlobFiles} and a manifest's arithmetic in {@link BlobManifest}; what is left is the bookkeeping under that
 * lock, which would be harder to check spread over several classes.
 */
public final class BlobCache {
    private static final Logger log = LoggerFactory.getLogger(BlobCache.class);

    private final BlobFiles files;
    private final long capacity;
    private final CacheListener listener;
    private final Clock clock;
    private final Map<String, Entry> entries = new HashMap<>(); // guarded by this
    private final Map<String, Integer> pins = new HashMap<>(); // guarded by this
    private long used; // guarded by this
    private long useSequence; // guarded by this

    /** One held blob, complete or partial. */
    private static final class Entry {
        final BlobManifest manifest;
        final BitSet verified;
        boolean complete;
        /** when it was last used, by sequence: the least recently used is evicted first */
        long lastUse;

        Entry(BlobManifest manifest, BitSet verified, boolean complete) {
            this.manifest = manifest;
            this.verified = verified;
            this.complete = complete;
        }
    }

    /** What the cache holds of one blob: a copy, safe to keep. */
    public record Holding(BlobManifest manifest, BitSet verified, boolean complete) {}

    /** A blob a task stored, with a pin that keeps it until the caller lets go. */
    public record StoredBlob(String blobId, long size, Pin pin) {}

    private BlobCache(Path dir, long capacity, CacheListener listener, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the cache capacity must be positive, was " + capacity);
        }
        this.files = new BlobFiles(dir);
        this.capacity = capacity;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Opens the cache in {@code dir} (creating it), loading what a previous run left: complete blobs, partial
     * ones with their verified chunks, in their last-use order. Unfinished writes and stray files are removed;
     * when the capacity shrank since, the least recently used blobs are evicted.
     *
     * @throws UncheckedIOException when the directory cannot be used
     */
    public static BlobCache open(Path dir, long capacity, CacheListener listener, Clock clock) {
        BlobCache cache = new BlobCache(dir, capacity, listener, clock);
        try {
            Files.createDirectories(dir);
            cache.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the blob cache directory " + dir + ": " + e.getMessage(), e);
        }
        List<String> evicted;
        synchronized (cache) {
            evicted = cache.evictToFit(0);
        }
        cache.dropped(evicted);
        return cache;
    }

    public long capacity() {
        return capacity;
    }

    public synchronized long usedBytes() {
        return used;
    }

    /** Keeps {@code blobId} (whenever it is held) from eviction until the pin is closed. */
    public synchronized Pin pin(String blobId) {
        pins.merge(blobId, 1, Integer::sum);
        return new Pin(this, blobId);
    }

    void unpin(String blobId) {
        List<String> evicted;
        synchronized (this) {
            pins.computeIfPresent(blobId, (id, n) -> n == 1 ? null : n - 1);
            evicted = evictToFit(0);
        }
        dropped(evicted);
    }

    public synchronized boolean isComplete(String blobId) {
        Entry e = entries.get(blobId);
        return e != null && e.complete;
    }

    /** What is held of {@code blobId}: its manifest and verified chunks; empty when nothing is. */
    public synchronized Optional<Holding> holding(String blobId) {
        Entry e = entries.get(blobId);
        return e == null ? Optional.empty() : Optional.of(new Holding(e.manifest, (BitSet) e.verified.clone(), e.complete));
    }

    /** The ids of every complete blob, as the tracker is told after each registration. */
    public synchronized List<String> completeIds() {
        return entries.entrySet().stream().filter(e -> e.getValue().complete).map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * Opens a complete blob for reading and counts it as used. The caller should hold a pin on it, or the
     * file may be evicted while it reads.
     *
     * @throws NoSuchFileException when the blob is not held in full
     */
    public InputStream open(String blobId) throws IOException {
        touch(completeEntry(blobId));
        return Files.newInputStream(files.data(blobId));
    }

    /**
     * The file of a complete blob, counted as used, for a reader that copies it; never write to it. The caller should
     * hold a pin on it, or the file may be evicted while it reads.
     *
     * @throws NoSuchFileException when the blob is not held in full
     */
    public Path file(String blobId) throws IOException {
        touch(completeEntry(blobId));
        return files.data(blobId);
    }

    /** The size of a complete blob. */
    public synchronized long size(String blobId) throws NoSuchFileException {
        return completeEntry(blobId).manifest.size();
    }

    private synchronized Entry completeEntry(String blobId) throws NoSuchFileException {
        Entry e = entries.get(blobId);
        if (e == null || !e.complete) {
            throw new NoSuchFileException(files.data(blobId).toString(), null, "blob " + blobId + " is not held in full");
        }
        return e;
    }

    /**
     * Makes room for {@code manifest}'s blob and lays it out as a partial blob, unless it is held already (in
     * part or in full). The caller pins the blob first, so that it is not evicted while it is being fetched.
     *
     * @throws BlobTooLargeException when the blob is larger than the whole cache
     */
    public void prepareFetch(BlobManifest manifest) throws IOException {
        String id = manifest.blobId();
        if (manifest.size() > capacity) {
            throw new BlobTooLargeException(id, manifest.size(), capacity);
        }
        List<String> evicted;
        synchronized (this) {
            if (entries.containsKey(id)) {
                return;
            }
            evicted = evictToFit(manifest.size());
            files.createPartial(manifest);
            add(id, new Entry(manifest, new BitSet(manifest.chunkCount()), false));
            warnIfOver();
        }
        dropped(evicted);
    }

    /**
     * Writes chunk {@code index} of a partial blob after verifying it against its leaf hash, and records that
     * it is held. When it was the last missing chunk, the blob is complete (and the listener hears so).
     *
     * @return false, writing nothing, when the bytes are not that chunk
     * @throws IOException when the blob is no longer in the cache (evicted) or the disk fails
     */
    public boolean writeChunk(String blobId, int index, byte[] bytes) throws IOException {
        Entry e;
        synchronized (this) {
            e = entries.get(blobId);
        }
        if (e == null) {
            throw new NoSuchFileException(files.data(blobId).toString(), null, "blob " + blobId + " is no longer in the cache");
        }
        if (!e.manifest.verifies(index, bytes)) {
            return false;
        }
        boolean completed = false;
        synchronized (this) {
            if (entries.get(blobId) != e) {
                throw new NoSuchFileException(files.data(blobId).toString(), null, "blob " + blobId + " was evicted");
            }
            if (e.verified.get(index)) {
                return true;
            }
        }
        // several chunks of one blob are written at once: positional writes, forced before the bit is set
        files.writeChunk(blobId, e.manifest.chunkOffset(index), bytes);
        synchronized (this) {
            if (entries.get(blobId) != e) {
                throw new NoSuchFileException(files.data(blobId).toString(), null, "blob " + blobId + " was evicted");
            }
            e.verified.set(index);
            files.writeHaveByte(blobId, index / 8, Bitfields.byteAt(e.verified, index));
            if (!e.complete && e.verified.cardinality() == e.manifest.chunkCount()) {
                files.markComplete(blobId);
                e.complete = true;
                completed = true;
            }
            e.lastUse = ++useSequence;
        }
        if (completed) {
            files.touch(blobId, clock.millis());
            listener.completed(blobId);
        }
        return true;
    }

    /**
     * Reads a verified chunk, for a peer. The bytes are verified again, so that a disk that went bad never
     * makes this worker serve a bad chunk; a blob found damaged is dropped unless it is pinned.
     *
     * @return empty when the chunk is not held (or no longer matches its hash)
     */
    public Optional<byte[]> readChunk(String blobId, int index) {
        Entry e;
        synchronized (this) {
            e = entries.get(blobId);
            if (e == null || index < 0 || index >= e.manifest.chunkCount() || !e.verified.get(index)) {
                return Optional.empty();
            }
        }
        byte[] bytes;
        try {
            bytes = files.read(blobId, e.manifest.chunkOffset(index), e.manifest.chunkLength(index));
        } catch (NoSuchFileException gone) {
            return Optional.empty(); // evicted meanwhile
        } catch (IOException ioe) {
            log.warn("Cannot read chunk {} of blob {}: {}", index, blobId, ioe.toString());
            return Optional.empty();
        }
        if (!e.manifest.verifies(index, bytes)) {
            log.warn("Chunk {} of blob {} no longer matches its hash on disk; the blob is dropped", index, blobId);
            discardDamaged(blobId, e);
            return Optional.empty();
        }
        touch(e);
        return Optional.of(bytes);
    }

    /**
     * Stores a complete blob that a task produced; its manifest is computed on the way in. Storing bytes that
     * are held already only counts as a use; storing bytes that are being fetched fills in the missing chunks.
     * The returned pin keeps the blob until the caller closes it.
     *
     * @throws BlobTooLargeException when the content is larger than the whole cache
     */
    public StoredBlob store(InputStream content) throws IOException {
        Path temp = files.newTemp();
        try {
            BlobManifest manifest = writeHashing(content, temp);
            if (manifest.size() > capacity) {
                throw new BlobTooLargeException(null, manifest.size(), capacity);
            }
            String id = manifest.blobId();
            Pin pin = pin(id);
            try {
                switch (install(manifest, temp)) {
                    case NEW -> listener.completed(id);
                    case PARTIAL -> fillFrom(temp, manifest);
                    case COMPLETE -> touch(id);
                }
            } catch (IOException | RuntimeException e) {
                pin.close();
                throw e;
            }
            return new StoredBlob(id, manifest.size(), pin);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** What the cache held of a blob a task stored. */
    private enum Installed {
        /** nothing: the stored file is now the blob */
        NEW,
        /** a partial copy, being fetched */
        PARTIAL,
        /** the whole blob already */
        COMPLETE
    }

    private Installed install(BlobManifest manifest, Path temp) throws IOException {
        List<String> evicted;
        synchronized (this) {
            Entry e = entries.get(manifest.blobId());
            if (e != null) {
                return e.complete ? Installed.COMPLETE : Installed.PARTIAL;
            }
            evicted = evictToFit(manifest.size());
            files.installComplete(manifest, temp);
            add(manifest.blobId(), new Entry(manifest, fullBitSet(manifest.chunkCount()), true));
            warnIfOver();
        }
        dropped(evicted);
        files.touch(manifest.blobId(), clock.millis());
        return Installed.NEW;
    }

    /** A blob is being fetched while a task stored the same bytes: the stored copy fills in what is missing. */
    private void fillFrom(Path temp, BlobManifest manifest) throws IOException {
        Optional<Holding> held = holding(manifest.blobId());
        if (held.isEmpty()) {
            return;
        }
        for (int i = 0; i < manifest.chunkCount(); i++) {
            if (!held.get().verified().get(i)) {
                writeChunk(manifest.blobId(), i, readTemp(temp, manifest.chunkOffset(i), manifest.chunkLength(i)));
            }
        }
    }

    private static byte[] readTemp(Path temp, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(temp)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
                // reads until full
            }
            return buffer.array();
        }
    }

    private BlobManifest writeHashing(InputStream content, Path temp) throws IOException {
        List<ByteString> leaves = new ArrayList<>();
        byte[] chunk = new byte[BlobManifest.CHUNK_SIZE];
        long size = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            while (true) {
                int n = content.readNBytes(chunk, 0, chunk.length);
                if (n == 0 && !leaves.isEmpty()) {
                    break;
                }
                leaves.add(ByteString.copyFrom(BlobManifest.sha256(chunk, 0, n)));
                out.write(chunk, 0, n);
                size += n;
                if (n < chunk.length) {
                    break;
                }
            }
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return BlobManifest.ofLeaves(size, leaves);
    }

    // ---- bookkeeping; callers hold the lock

    private void add(String id, Entry e) {
        e.lastUse = ++useSequence;
        entries.put(id, e);
        used += e.manifest.size();
    }

    private void touch(Entry e) {
        synchronized (this) {
            e.lastUse = ++useSequence;
        }
        files.touch(e.manifest.blobId(), clock.millis());
    }

    private void touch(String blobId) {
        Entry e;
        synchronized (this) {
            e = entries.get(blobId);
        }
        if (e != null) {
            touch(e);
        }
    }

    /**
     * Drops the given blobs, which the coordinator no longer keeps (collected, or intermediate data of a purged job),
     * except those a task holds pinned: they go when unpinned and evicted, as any other. Returns the ids dropped; the
     * listener hears of them as of evicted ones.
     */
    public List<String> drop(Collection<String> blobIds) {
        List<String> dropped = new ArrayList<>();
        synchronized (this) {
            for (String id : blobIds) {
                if (entries.containsKey(id) && !pins.containsKey(id)) {
                    remove(id);
                    dropped.add(id);
                }
            }
        }
        dropped(dropped);
        return dropped;
    }

    /**
     * Evicts unpinned blobs, least recently used first, until {@code extra} more bytes fit; returns their ids
     * for the listener. Stops early when only pinned blobs are left.
     */
    private List<String> evictToFit(long extra) {
        List<String> evicted = new ArrayList<>();
        while (used + extra > capacity) {
            Optional<Entry> victim = entries.values().stream()
                    .filter(e -> !pins.containsKey(e.manifest.blobId()))
                    .min(Comparator.comparingLong(e -> e.lastUse));
            if (victim.isEmpty()) {
                break;
            }
            String id = victim.get().manifest.blobId();
            remove(id);
            evicted.add(id);
            log.debug("Evicted blob {} ({}) to stay within the cache's {}", id, ByteSizes.format(victim.get().manifest.size()),
                    ByteSizes.format(capacity));
        }
        return evicted;
    }

    private void warnIfOver() {
        if (used > capacity) {
            log.info("The blob cache holds {}, over its {}: running tasks and fetches need all of it; it shrinks back "
                    + "as they end", ByteSizes.format(used), ByteSizes.format(capacity));
        }
    }

    private void remove(String id) {
        Entry e = entries.remove(id);
        if (e != null) {
            used -= e.manifest.size();
        }
        try {
            files.delete(id);
        } catch (IOException ioe) {
            log.warn("Cannot delete the files of blob {}: {}", id, ioe.toString());
        }
    }

    private void discardDamaged(String blobId, Entry e) {
        synchronized (this) {
            if (entries.get(blobId) != e || pins.containsKey(blobId)) {
                return;
            }
            remove(blobId);
        }
        dropped(List.of(blobId));
    }

    private void dropped(List<String> evicted) {
        if (!evicted.isEmpty()) {
            listener.dropped(List.copyOf(evicted));
        }
    }

    private static BitSet fullBitSet(int chunks) {
        BitSet bits = new BitSet(chunks);
        bits.set(0, chunks);
        return bits;
    }

    // ---- loading what a previous run left

    private void load() throws IOException {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(files.dir())) {
            for (Path file : dir) {
                if (file.getFileName().toString().endsWith(BlobFiles.TMP)) {
                    Files.deleteIfExists(file); // a write that never finished
                    continue;
                }
                BlobFiles.blobIdOf(file).ifPresentOrElse(ids::add,
                        () -> log.debug("Ignoring {} in the blob cache directory", file));
            }
        }
        List<Loaded> loaded = new ArrayList<>();
        for (String id : ids) {
            loadOne(id).ifPresent(loaded::add);
        }
        loaded.sort(Comparator.comparingLong(Loaded::lastModified));
        synchronized (this) {
            for (Loaded l : loaded) {
                add(l.entry.manifest.blobId(), l.entry);
            }
        }
        long complete = loaded.stream().filter(l -> l.entry.complete).count();
        log.info("Blob cache {}: {} complete and {} partial blobs, {} of {}", files.dir(), complete,
                loaded.size() - complete, ByteSizes.format(usedBytes()), ByteSizes.format(capacity));
    }

    private record Loaded(Entry entry, long lastModified) {}

    /** One blob as a previous run left it; damaged or half-written blobs are deleted. */
    private Optional<Loaded> loadOne(String id) throws IOException {
        if (!Files.exists(files.manifest(id)) || !Files.exists(files.data(id))) {
            files.delete(id); // a crash interrupted its creation or its deletion
            return Optional.empty();
        }
        BlobManifest manifest;
        try {
            Manifest stored = files.readManifest(id);
            if (stored.getChunkSize() != BlobManifest.CHUNK_SIZE) {
                throw new IllegalArgumentException("its chunk size is " + stored.getChunkSize());
            }
            manifest = new BlobManifest(id, stored.getSize(), stored.getLeafHashesList());
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Discarding blob {} from the cache: its manifest is unusable ({})", id, e.getMessage());
            files.delete(id);
            return Optional.empty();
        }
        long length = Files.size(files.data(id));
        if (length != manifest.size()) {
            log.warn("Discarding blob {} from the cache: its data file has {} bytes instead of {}", id, length,
                    manifest.size());
            files.delete(id);
            return Optional.empty();
        }
        BitSet verified;
        if (Files.exists(files.have(id))) {
            verified = Bitfields.fromBytes(files.readHave(id), manifest.chunkCount());
            if (verified.cardinality() == manifest.chunkCount()) {
                files.markComplete(id); // the crash came between its last chunk and this
            }
        } else {
            verified = fullBitSet(manifest.chunkCount());
        }
        boolean complete = verified.cardinality() == manifest.chunkCount();
        return Optional.of(new Loaded(new Entry(manifest, verified, complete),
                Files.getLastModifiedTime(files.data(id)).toMillis()));
    }
}
