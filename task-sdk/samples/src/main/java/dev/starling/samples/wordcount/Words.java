package dev.starling.samples.wordcount;

import dev.starling.sdk.CancelledException;
import dev.starling.sdk.TaskContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What a word is, which slice of the input it belongs to, and which partition it goes to.
 *
 * <p>The input is read as bytes. ASCII {@code A-Z} is lower-cased, and a word is a maximal run of
 * {@code a-z}; every other byte separates words: digits, punctuation, white space, and every byte of
 * a multi-byte UTF-8 sequence (all of them are {@code >= 0x80}). So the input need not be decoded, and
 * cutting it at any byte offset never splits a character that could be part of a word.
 *
 * <p>A map work unit takes the nominal byte range {@code [m * size / M, (m + 1) * size / M)}, and a
 * word belongs to the slice in which its first byte lies: a slice skips a word that began in the slice
 * before it and reads past its end to finish its own last word. Every word is thus counted by exactly one
 * slice, whatever M is.
 */
final class Words {
    private static final int BUFFER = 64 * 1024;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Words() {}

    static boolean isLetter(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /**
     * The partition of a word among {@code partitions}: FNV-1a (64 bits) of its ASCII bytes, as an
     * unsigned number, modulo {@code partitions}. It depends on the bytes alone, so every host (and any
     * tool in any language) puts a word in the same partition; {@link String#hashCode} is specified too,
     * but FNV-1a spreads short similar words better over a modulus.
     */
    static int partition(String word, int partitions) {
        long hash = FNV_OFFSET;
        for (int i = 0; i < word.length(); i++) {
            hash ^= word.charAt(i); // a-z only: the char is the byte
            hash *= FNV_PRIME;
        }
        return (int) Long.remainderUnsigned(hash, partitions);
    }

    /**
     * Counts the words that start within {@code [lo, hi)} of {@code in}, which is positioned at offset 0,
     * reporting progress and stopping when the task is cancelled.
     */
    static Map<String, long[]> countSlice(InputStream in, long lo, long hi, TaskContext context) throws IOException {
        Map<String, long[]> counts = new HashMap<>();
        boolean skipping = false; // inside a word that began before lo
        if (lo > 0) {
            in.skipNBytes(lo - 1);
            skipping = isLetter(in.read());
        }
        byte[] buffer = new byte[BUFFER];
        byte[] word = new byte[64];
        int length = 0;
        long position = lo;
        for (int n; (n = in.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++, position++) {
                int b = buffer[i];
                boolean letter = isLetter(b);
                if (skipping) {
                    skipping = letter;
                } else if (letter) {
                    if (length == 0 && position >= hi) {
                        return counts; // the next word starts in the next slice
                    }
                    if (length == word.length) {
                        word = Arrays.copyOf(word, 2 * length);
                    }
                    word[length++] = (byte) (b | 0x20); // lower case
                } else if (length > 0) {
                    add(counts, word, length);
                    length = 0;
                } else if (position >= hi) {
                    return counts;
                }
            }
            if (context.isCancelled()) {
                throw new CancelledException();
            }
            if (hi > lo) {
                context.progress(Math.min(1.0, (double) (position - lo) / (hi - lo)));
            }
        }
        if (length > 0) {
            add(counts, word, length);
        }
        return counts;
    }

    private static void add(Map<String, long[]> counts, byte[] word, int length) {
        counts.computeIfAbsent(new String(word, 0, length, StandardCharsets.US_ASCII), w -> new long[1])[0]++;
    }
}
