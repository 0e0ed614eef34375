package dev.starling.samples.wordcount;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.starling.sdk.ContentAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The input of reduce work unit {@code r}: partition {@code r} of every map output, as
 * {@code "reduce <r>\n"} then a line {@code "<blob id> <multiplicity>\n"} per distinct blob, in the
 * order of the first map that produced it. Two maps can produce identical partitions (same words, same
 * counts, hence the same blob id), and the work unit's blob list may name a blob only once; the
 * multiplicity says how many maps produced it, and the reduce counts it that many times. Empty
 * partitions are left out: they add nothing.
 */
record ReduceTask(int r, List<Source> sources) {

    /** A partition blob and how many map outputs named it. */
    record Source(String blobId, int multiplicity) {
        Source {
            if (!ContentAddress.isValid(blobId) || multiplicity < 1) {
                throw new IllegalArgumentException("not a reduce source: " + blobId + " x " + multiplicity);
            }
        }
    }

    ReduceTask {
        sources = List.copyOf(sources);
        if (r < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + r);
        }
    }

    static ReduceTask decode(byte[] input) {
        String[] lines = new String(input, US_ASCII).split("\n");
        if (!lines[0].startsWith("reduce ")) {
            throw new IllegalArgumentException("a reduce task starts with \"reduce <r>\": " + lines[0]);
        }
        List<Source> sources = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].split(" ");
            if (fields.length != 2) {
                throw new IllegalArgumentException("a reduce source is \"<blob id> <multiplicity>\": " + lines[i]);
            }
            sources.add(new Source(fields[0], Integer.parseInt(fields[1])));
        }
        return new ReduceTask(Integer.parseInt(lines[0].substring("reduce ".length())), sources);
    }

    byte[] encode() {
        StringBuilder text = new StringBuilder("reduce ").append(r).append('\n');
        for (Source s : sources) {
            text.append(s.blobId()).append(' ').append(s.multiplicity()).append('\n');
        }
        return text.toString().getBytes(US_ASCII);
    }

    /** The distinct blobs, for {@link dev.starling.sdk.WorkUnitSpec#blobs}. */
    List<String> blobs() {
        return sources.stream().map(Source::blobId).toList();
    }
}
