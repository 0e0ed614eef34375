package dev.starling.samples.wordcount;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One partition of a map work unit's counts, as the blob a reduce work unit reads: a line
 * {@code "<word> <count>\n"} per word, sorted by word. Words are {@code a-z} only, so the encoding is
 * unambiguous, plain ASCII, and the same bytes on every host for the same counts (hence the same blob id).
 */
final class Partition {
    private Partition() {}

    /** Callback for {@link #read}. */
    interface Entry {
        void accept(String word, long count);
    }

    static byte[] encode(List<Map.Entry<String, long[]>> entries) {
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(entries);
        sorted.sort(Map.Entry.comparingByKey());
        StringBuilder text = new StringBuilder(sorted.size() * 12);
        for (Map.Entry<String, long[]> e : sorted) {
            text.append(e.getKey()).append(' ').append(e.getValue()[0]).append('\n');
        }
        return text.toString().getBytes(US_ASCII);
    }

    /** Reads a partition blob, calling {@code entry} for each line. */
    static void read(InputStream in, Entry entry) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, US_ASCII), 64 * 1024);
        for (String line; (line = reader.readLine()) != null; ) {
            int space = line.indexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("not a partition line (\"<word> <count>\"): " + line);
            }
            entry.accept(line.substring(0, space), Long.parseLong(line, space + 1, line.length(), 10));
        }
    }
}
