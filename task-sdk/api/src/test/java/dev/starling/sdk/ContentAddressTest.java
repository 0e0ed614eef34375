package dev.starling.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentAddressTest {
    private static final int CHUNK = ContentAddress.CHUNK_SIZE;

    @Test
    void emptyContentIsPlainSha256() throws IOException {
        String emptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertThat(ContentAddress.of(new byte[0])).isEqualTo(emptySha256);
        assertThat(ContentAddress.of(InputStream.nullInputStream())).isEqualTo(emptySha256);
    }

    @Test
    void contentOfAtMostOneChunkIsPlainSha256() throws IOException {
        for (int size : new int[] {1, 3, CHUNK - 1, CHUNK}) {
            byte[] content = bytes(size, size);
            assertThat(ContentAddress.of(content)).as("size %d", size).isEqualTo("sha256:" + hex(sha256(content)));
            assertThat(ContentAddress.of(new ByteArrayInputStream(content))).isEqualTo(ContentAddress.of(content));
        }
        assertThat(ContentAddress.of("abc".getBytes()))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void largerContentIsTheMerkleRootOfItsChunks() throws IOException {
        byte[] content = bytes(2 * CHUNK + 12345, 7);
        byte[] l0 = sha256(Arrays.copyOfRange(content, 0, CHUNK));
        byte[] l1 = sha256(Arrays.copyOfRange(content, CHUNK, 2 * CHUNK));
        byte[] l2 = sha256(Arrays.copyOfRange(content, 2 * CHUNK, content.length));
        // three leaves: the odd last one is promoted unchanged to the next level
        String expected = "sha256:" + hex(sha256(concat(sha256(concat(l0, l1)), l2)));

        assertThat(ContentAddress.of(content)).isEqualTo(expected);
        assertThat(ContentAddress.of(new ByteArrayInputStream(content))).isEqualTo(expected);
        assertThat(ContentAddress.of(new DribblingStream(content))).isEqualTo(expected);
        assertThat(ContentAddress.root(List.of(l0, l1, l2))).isEqualTo(sha256(concat(sha256(concat(l0, l1)), l2)));
    }

    @Test
    void streamAndArrayAgreeAtChunkBoundaries() throws IOException {
        for (int size : new int[] {CHUNK + 1, 2 * CHUNK, 4 * CHUNK + 1}) {
            byte[] content = bytes(size, size);
            assertThat(ContentAddress.of(new DribblingStream(content))).as("size %d", size).isEqualTo(ContentAddress.of(content));
        }
        assertThat(ContentAddress.of(bytes(CHUNK + 1, 1))).isNotEqualTo("sha256:" + hex(sha256(bytes(CHUNK + 1, 1))));
    }

    @Test
    void differentContentHasDifferentAddresses() {
        byte[] a = bytes(3 * CHUNK, 1);
        byte[] b = a.clone();
        b[2 * CHUNK + 17] ^= 1;
        assertThat(ContentAddress.of(a)).isNotEqualTo(ContentAddress.of(b));
        assertThat(ContentAddress.of(new byte[1])).isNotEqualTo(ContentAddress.of(new byte[2]));
    }

    @Test
    void addressesAreValid() {
        assertThat(ContentAddress.isValid(ContentAddress.of(bytes(10, 1)))).isTrue();
        String hex64 = "0123456789abcdef".repeat(4);
        assertThat(ContentAddress.isValid("sha256:" + hex64)).isTrue();
        assertThat(ContentAddress.isValid("sha256:" + hex64.toUpperCase())).isFalse();
        assertThat(ContentAddress.isValid("sha256:" + hex64.substring(1))).isFalse();
        assertThat(ContentAddress.isValid("sha256:" + hex64 + "0")).isFalse();
        assertThat(ContentAddress.isValid("sha512:" + hex64)).isFalse();
        assertThat(ContentAddress.isValid("sha256:" + hex64.substring(1) + "g")).isFalse();
        assertThat(ContentAddress.isValid(null)).isFalse();
        assertThatThrownBy(() -> ContentAddress.root(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return content;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] ab = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        return ab;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Returns at most 1000 bytes per read, as a network stream may. */
    private static final class DribblingStream extends FilterInputStream {
        DribblingStream(byte[] content) {
            super(new ByteArrayInputStream(content));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1000));
        }
    }
}
