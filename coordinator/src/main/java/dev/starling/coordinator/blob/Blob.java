package dev.starling.coordinator.blob;

import dev.starling.sdk.ContentAddress;
import java.time.Instant;
import java.util.Arrays;

/**
 * A blob the coordinator stores: its content address, size and the SHA-256 of each 1 MiB chunk (the Merkle
 * tree's leaves, concatenated in order).
 */
public record Blob(String id, long size, byte[] leafHashes, Instant createdAt) {
    static final int HASH_SIZE = 32;

    public int chunkCount() {
        return leafHashes.length / HASH_SIZE;
    }

    public byte[] leaf(int index) {
        return Arrays.copyOfRange(leafHashes, index * HASH_SIZE, (index + 1) * HASH_SIZE);
    }

    public long chunkOffset(int index) {
        return (long) index * ContentAddress.CHUNK_SIZE;
    }

    public int chunkLength(int index) {
        return (int) Math.min(ContentAddress.CHUNK_SIZE, size - chunkOffset(index));
    }
}
