package dev.starling.swarm.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.starling.samples.checksum.ChecksumApp;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a simulated host outputs for a checksum task. Honest hosts output what {@link ChecksumApp} computes.
 * A wrong host outputs {@code wrong-<host index>-<hex SHA-256 of host index || work unit index>}: never the
 * honest output (which is 64 hex digits, no dash) and never another wrong host's (the host index is part of
 * the text, and the hex part holds no dash), so wrong hosts never agree with anyone.
 */
public final class Outputs {
    /** The checksum app's input: the work unit's index and the rounds, two big-endian longs. */
    public static final int INPUT_BYTES = 2 * Long.BYTES;

    private Outputs() {}

    /** The work unit index and rounds in a checksum input, or null when it is not 16 bytes. */
    public static long[] decode(byte[] input) {
        if (input.length != INPUT_BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(input);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    public static byte[] honest(long index, long rounds) {
        return ChecksumApp.output(index, rounds);
    }

    public static byte[] wrong(int hostIndex, long index) {
        byte[] seed = ByteBuffer.allocate(2 * Long.BYTES).putLong(hostIndex).putLong(index).array();
        String hex = HexFormat.of().formatHex(sha256().digest(seed));
        return ("wrong-" + hostIndex + "-" + hex).getBytes(US_ASCII);
    }

    /**
     * A turncoat's output once it turned: {@code turncoat-<hex SHA-256 of the work unit index>}, the same for every
     * turncoat (they collude: two of them form a quorum), never the honest one nor a wrong host's.
     */
    public static byte[] turncoat(long index) {
        byte[] seed = ByteBuffer.allocate(Long.BYTES).putLong(index).array();
        return ("turncoat-" + HexFormat.of().formatHex(sha256().digest(seed))).getBytes(US_ASCII);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
