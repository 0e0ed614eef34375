package dev.starling.worker.peer.cache;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Manifest;
import dev.starling.sdk.ContentAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A blob's size and the SHA-256 of each of its {@value #CHUNK_SIZE}-byte chunks (the leaves of the Merkle
 * tree whose root is the blob id). An instance always hashes up to its id: the constructor checks it, so a
 * manifest from an untrusted peer is either refused or as good as the blob id itself, and from then on
 * every chunk can be verified on its own, whoever served it.
 *
 * @param blobId the content address, {@code sha256:<hex>}
 * @param size the blob's length in bytes
 * @param leaves SHA-256 of each chunk, in order (one leaf for the empty blob)
 */
public record BlobManifest(String blobId, long size, List<ByteString> leaves) {
    public static final int CHUNK_SIZE = ContentAddress.CHUNK_SIZE;
    private static final int HASH_BYTES = 32;
    /** Chunk indexes are ints on the wire (uint32) and in bitfields. */
    private static final long MAX_SIZE = (long) Integer.MAX_VALUE * CHUNK_SIZE;

    public BlobManifest {
        Objects.requireNonNull(blobId, "blobId");
        leaves = List.copyOf(leaves);
        if (!ContentAddress.isValid(blobId)) {
            throw new IllegalArgumentException("not a blob id (sha256:<64 hex digits>): " + blobId);
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("a blob size must be 0 to " + MAX_SIZE + " bytes, was " + size);
        }
        if (leaves.size() != chunkCount(size)) {
            throw new IllegalArgumentException("a blob of " + size + " bytes has " + chunkCount(size) + " chunks, but "
                    + leaves.size() + " leaf hashes were given");
        }
        for (ByteString leaf : leaves) {
            if (leaf.size() != HASH_BYTES) {
                throw new IllegalArgumentException("a leaf hash has " + leaf.size() + " bytes instead of 32");
            }
        }
        String root = ContentAddress.PREFIX
                + HexFormat.of().formatHex(ContentAddress.root(leaves.stream().map(ByteString::toByteArray).toList()));
        if (!root.equals(blobId)) {
            throw new IllegalArgumentException("the leaf hashes add up to " + root + ", not to " + blobId);
        }
    }

    /** The manifest of leaves computed locally (when a task stores a blob): its id is their root. */
    static BlobManifest ofLeaves(long size, List<ByteString> leaves) {
        String id = ContentAddress.PREFIX
                + HexFormat.of().formatHex(ContentAddress.root(leaves.stream().map(ByteString::toByteArray).toList()));
        return new BlobManifest(id, size, leaves);
    }

    /**
     * Checks a manifest a peer or the coordinator sent for the blob a task named.
     *
     * @throws BadManifestException saying what is wrong with it
     */
    public static BlobManifest received(Manifest manifest, String blobId, long size) throws BadManifestException {
        if (!manifest.getBlobId().equals(blobId)) {
            throw new BadManifestException("it describes " + manifest.getBlobId() + " instead of " + blobId);
        }
        if (manifest.getChunkSize() != CHUNK_SIZE) {
            throw new BadManifestException("its chunk size is " + manifest.getChunkSize() + " instead of " + CHUNK_SIZE);
        }
        if (manifest.getSize() != size) {
            throw new BadManifestException("it gives " + manifest.getSize() + " bytes where the coordinator said " + size);
        }
        try {
            return new BlobManifest(blobId, manifest.getSize(), manifest.getLeafHashesList());
        } catch (IllegalArgumentException e) {
            throw new BadManifestException(e.getMessage());
        }
    }

    /** How many chunks a blob of {@code size} bytes has: the empty blob has one, empty, chunk. */
    public static int chunkCount(long size) {
        return size == 0 ? 1 : (int) ((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
    }

    public int chunkCount() {
        return leaves.size();
    }

    public long chunkOffset(int index) {
        return (long) index * CHUNK_SIZE;
    }

    public int chunkLength(int index) {
        if (index < 0 || index >= chunkCount()) {
            throw new IndexOutOfBoundsException("chunk " + index + " of a blob with " + chunkCount() + " chunks");
        }
        return (int) Math.min(CHUNK_SIZE, size - chunkOffset(index));
    }

    /** Whether {@code data} is chunk {@code index} of this blob: its length and its SHA-256 match. */
    public boolean verifies(int index, byte[] data) {
        return index >= 0 && index < chunkCount() && data.length == chunkLength(index)
                && MessageDigest.isEqual(sha256(data), leaves.get(index).toByteArray());
    }

    public Manifest toProto() {
        return Manifest.newBuilder()
                .setBlobId(blobId)
                .setSize(size)
                .setChunkSize(CHUNK_SIZE)
                .addAllLeafHashes(leaves)
                .build();
    }

    static byte[] sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, offset, length);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return blobId + " (" + size + " bytes, " + chunkCount() + " chunks)";
    }
}
