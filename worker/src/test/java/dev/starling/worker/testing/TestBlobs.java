package dev.starling.worker.testing;

import dev.starling.sdk.ContentAddress;
import java.util.Arrays;
import java.util.Random;

/** Blob contents for tests: a few 1 MiB chunks of seeded random bytes. */
public final class TestBlobs {
    public static final int CHUNK = ContentAddress.CHUNK_SIZE;

    private TestBlobs() {}

    public static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static String id(byte[] content) {
        return ContentAddress.of(content);
    }

    /** Chunk {@code index} of {@code content}. */
    public static byte[] chunk(byte[] content, int index) {
        int from = index * CHUNK;
        return Arrays.copyOfRange(content, from, Math.min(content.length, from + CHUNK));
    }
}
