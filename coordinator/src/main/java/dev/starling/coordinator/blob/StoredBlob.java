package dev.starling.coordinator.blob;

/**
 * What a {@link BlobStore} wrote: the content address, the size and the leaf hashes (32 bytes per 1 MiB chunk,
 * in order).
 */
record StoredBlob(String id, long size, byte[] leafHashes) {}
