package dev.starling.worker.peer;

import dev.starling.proto.v1.BlobRef;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.Pin;
import dev.starling.worker.tasks.TaskBlobs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's blobs in this worker's cache: it may open its work unit's inputs (which {@link InputFetchingRunner} keeps
 * pinned while it runs) and what it stored; what it stores is pinned until the result that names it is acknowledged
 * (a consumer may come for it as soon as the quorum accepts that result).
 */
public final class CachedTaskBlobs implements TaskBlobs {
    private final BlobCache cache;
    private final Set<String> inputs;
    private final Map<String, BlobCache.StoredBlob> stored = new LinkedHashMap<>(); // guarded by this
    private final List<Pin> storedPins = new ArrayList<>(); // guarded by this
    private boolean released; // guarded by this

    public CachedTaskBlobs(BlobCache cache, List<String> inputs) {
        this.cache = cache;
        this.inputs = Set.copyOf(inputs);
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        checkReadable(blobId);
        return cache.open(blobId);
    }

    @Override
    public long size(String blobId) {
        checkReadable(blobId);
        try {
            return cache.size(blobId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path file(String blobId) throws IOException {
        if (!inputs.contains(blobId)) {
            throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads");
        }
        return cache.file(blobId);
    }

    @Override
    public String store(byte[] content) throws IOException {
        synchronized (this) {
            if (released) {
                throw new IOException("the task has ended; it can store no more blobs");
            }
        }
        BlobCache.StoredBlob blob = cache.store(new ByteArrayInputStream(content));
        synchronized (this) {
            if (released || stored.putIfAbsent(blob.blobId(), blob) != null) {
                blob.pin().close();
            } else {
                storedPins.add(blob.pin());
            }
        }
        return blob.blobId();
    }

    @Override
    public synchronized List<BlobRef> produced() {
        return stored.values().stream()
                .map(b -> BlobRef.newBuilder().setBlobId(b.blobId()).setSize(b.size()).build())
                .toList();
    }

    @Override
    public synchronized Runnable handOverProduced() {
        List<Pin> pins = List.copyOf(storedPins);
        storedPins.clear();
        return () -> pins.forEach(Pin::close);
    }

    @Override
    public synchronized void release() {
        released = true;
        storedPins.forEach(Pin::close);
        storedPins.clear();
    }

    private synchronized void checkReadable(String blobId) {
        if (!inputs.contains(blobId) && !stored.containsKey(blobId)) {
            throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads or this task stored");
        }
    }
}
