package dev.starling.coordinator.blob;

import dev.starling.sdk.ContentAddress;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Computes a blob's leaf hashes and content address ({@link ContentAddress}) from its bytes as they stream past,
 * holding one chunk's digest state and 32 bytes per finished chunk (128 KiB for 4 GiB).
 */
final class ChunkHasher {
    private final ByteArrayOutputStream leaves = new ByteArrayOutputStream();
    private final MessageDigest digest = sha256();
    private int inChunk;
    private long size;

    void update(byte[] bytes, int offset, int length) {
        while (length > 0) {
            int n = Math.min(length, ContentAddress.CHUNK_SIZE - inChunk);
            digest.update(bytes, offset, n);
            inChunk += n;
            size += n;
            offset += n;
            length -= n;
            if (inChunk == ContentAddress.CHUNK_SIZE) {
                leaves.writeBytes(digest.digest());
                inChunk = 0;
            }
        }
    }

    /** The address, size and leaf hashes of everything given; content of no bytes has one leaf, SHA-256(""). */
    StoredBlob finish() {
        if (inChunk > 0 || leaves.size() == 0) {
            leaves.writeBytes(digest.digest());
            inChunk = 0;
        }
        byte[] all = leaves.toByteArray();
        List<byte[]> list = new ArrayList<>(all.length / Blob.HASH_SIZE);
        for (int i = 0; i < all.length; i += Blob.HASH_SIZE) {
            list.add(java.util.Arrays.copyOfRange(all, i, i + Blob.HASH_SIZE));
        }
        String id = ContentAddress.PREFIX + HexFormat.of().formatHex(ContentAddress.root(list));
        return new StoredBlob(id, size, all);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
