package dev.starling.worker.peer;

import dev.starling.proto.v1.BlobRef;
import dev.starling.worker.peer.cache.BlobCache;
import dev.starling.worker.peer.cache.Pin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The blobs one task may open (its inputs and what it stored) and the pins that keep them in the cache:
 * inputs for as long as the task runs, stored blobs until the result that names them is acknowledged (a
 * consumer may come for them as soon as the quorum accepts that result).
 */
public final class TaskBlobs {
    private final BlobCache cache;
    private final Set<String> inputs;
    private final List<Pin> inputPins = new ArrayList<>(); // guarded by this
    private final Map<String, BlobCache.StoredBlob> stored = new LinkedHashMap<>(); // guarded by this
    private final List<Pin> storedPins = new ArrayList<>(); // guarded by this
    private boolean released; // guarded by this

    public TaskBlobs(BlobCache cache, List<String> inputs) {
        this.cache = cache;
        this.inputs = Set.copyOf(inputs);
    }

    /** The inputs are in the cache: these pins keep them there until {@link #release}. */
    synchronized void holdInputs(List<Pin> pins) {
        if (released) {
            pins.forEach(Pin::close);
            return;
        }
        inputPins.addAll(pins);
    }

    public InputStream open(String blobId) throws IOException {
        checkReadable(blobId);
        return cache.open(blobId);
    }

    public long size(String blobId) {
        checkReadable(blobId);
        try {
            return cache.size(blobId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores {@code content} in the cache; returns its id. The same bytes stored twice are one blob. */
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

    /** What the task stored, as its report lists it (Success.produced). */
    public synchronized List<BlobRef> produced() {
        return stored.values().stream()
                .map(b -> BlobRef.newBuilder().setBlobId(b.blobId()).setSize(b.size()).build())
                .toList();
    }

    /**
     * The stored blobs' pins leave with the result that names them: the returned action releases them, once the
     * coordinator acknowledged it.
     */
    public synchronized Runnable handOverProduced() {
        List<Pin> pins = List.copyOf(storedPins);
        storedPins.clear();
        return () -> pins.forEach(Pin::close);
    }

    /** The task's run ended: lets go of its inputs, and of stored blobs no result took. */
    public synchronized void release() {
        released = true;
        inputPins.forEach(Pin::close);
        inputPins.clear();
        storedPins.forEach(Pin::close);
        storedPins.clear();
    }

    private synchronized void checkReadable(String blobId) {
        if (!inputs.contains(blobId) && !stored.containsKey(blobId)) {
            throw new IllegalArgumentException("blob " + blobId + " is not one this work unit reads or this task stored");
        }
    }
}
