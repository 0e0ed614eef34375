package dev.starling.samples.wordcount;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The input of map work unit {@code m} of {@code maps}: readable text, {@code "map <m> <maps> <reducers>"}.
 * The input blob is the work unit's only blob; its slice is computed from the blob's size when it runs.
 */
record MapTask(int m, int maps, int reducers) {

    MapTask {
        if (maps < 1 || m < 0 || m >= maps || reducers < 1) {
            throw new IllegalArgumentException("not a map task: " + m + " of " + maps + ", " + reducers + " reducers");
        }
    }

    static MapTask decode(byte[] input) {
        String[] fields = new String(input, US_ASCII).split(" ");
        if (fields.length != 4 || !fields[0].equals("map")) {
            throw new IllegalArgumentException("a map task is \"map <m> <maps> <reducers>\": " + new String(input, US_ASCII));
        }
        return new MapTask(Integer.parseInt(fields[1]), Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
    }

    byte[] encode() {
        return ("map " + m + " " + maps + " " + reducers).getBytes(US_ASCII);
    }

    /** First byte of the nominal slice of an input of {@code size} bytes. */
    long from(long size) {
        return Math.multiplyExact(size, (long) m) / maps;
    }

    /** End (excluded) of the nominal slice of an input of {@code size} bytes. */
    long to(long size) {
        return Math.multiplyExact(size, (long) m + 1) / maps;
    }
}
