package dev.starling.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Starling's content address: {@code sha256:<hex>}, the root of a binary SHA-256 Merkle tree over
 * {@value #CHUNK_SIZE}-byte chunks. Leaf = SHA-256(chunk); parent = SHA-256(left || right); an odd last
 * node is promoted to the next level unchanged. Content of at most one chunk (including empty content)
 * is thus named by its plain SHA-256, and each chunk of a larger blob can be verified on its own
 * against the leaf hashes, which in turn are verified against the root. The size travels with the address.
 */
public final class ContentAddress {
    public static final int CHUNK_SIZE = 1 << 20;
    public static final String PREFIX = "sha256:";
    private static final HexFormat HEX = HexFormat.of();

    private ContentAddress() {}

    public static String of(byte[] content) {
        List<byte[]> leaves = new ArrayList<>();
        int offset = 0;
        do {
            int len = Math.min(CHUNK_SIZE, content.length - offset);
            MessageDigest d = sha256();
            d.update(content, offset, len);
            leaves.add(d.digest());
            offset += len;
        } while (offset < content.length);
        return PREFIX + HEX.formatHex(root(leaves));
    }

    public static String of(InputStream in) throws IOException {
        List<byte[]> leaves = new ArrayList<>();
        byte[] buf = new byte[CHUNK_SIZE];
        while (true) {
            int n = in.readNBytes(buf, 0, CHUNK_SIZE);
            if (n == 0 && !leaves.isEmpty()) {
                break;
            }
            MessageDigest d = sha256();
            d.update(buf, 0, n);
            leaves.add(d.digest());
            if (n < CHUNK_SIZE) {
                break;
            }
        }
        return PREFIX + HEX.formatHex(root(leaves));
    }

    /** The Merkle root of leaf hashes, in order. */
    public static byte[] root(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("at least one leaf");
        }
        List<byte[]> level = leaves;
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                MessageDigest d = sha256();
                d.update(level.get(i));
                d.update(level.get(i + 1));
                next.add(d.digest());
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1));
            }
            level = next;
        }
        return level.get(0);
    }

    /** Whether {@code address} has the form {@code sha256:<64 lower-case hex digits>}. */
    public static boolean isValid(String address) {
        return address != null
                && address.length() == PREFIX.length() + 64
                && address.startsWith(PREFIX)
                && address.substring(PREFIX.length()).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
