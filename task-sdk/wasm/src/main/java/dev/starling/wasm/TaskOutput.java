package dev.starling.wasm;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The two output streams of a task: standard output up to a limit, and the tail of standard error. */
final class TaskOutput {
    private TaskOutput() {}

    /** Standard output; writing past the limit stops the task (it is never truncated silently). */
    static final class Bounded extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final long limit;

        Bounded(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > limit - bytes.size()) {
                throw new Stop(TaskResult.Status.OUTPUT_LIMIT, "the module wrote more than the task's limit of "
                        + limit + " bytes to standard output (maxOutputBytes)");
            }
            bytes.write(b, off, len);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Keeps the last {@code capacity} bytes written. */
    static final class Tail extends OutputStream {
        private final byte[] ring;
        private long written;

        Tail(int capacity) {
            this.ring = new byte[capacity];
        }

        @Override
        public void write(int b) {
            ring[(int) (written++ % ring.length)] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int skip = Math.max(0, len - ring.length);
            written += skip;
            for (int i = off + skip; i < off + len; i++) {
                write(b[i]);
            }
        }

        /** The kept bytes as text PostgreSQL takes: invalid UTF-8 and NUL replaced by U+FFFD, from a line start. */
        String text() {
            byte[] kept;
            if (written <= ring.length) {
                kept = Arrays.copyOf(ring, (int) written);
            } else {
                int start = (int) (written % ring.length);
                kept = new byte[ring.length];
                System.arraycopy(ring, start, kept, 0, ring.length - start);
                System.arraycopy(ring, 0, kept, ring.length - start, start);
                int newline = indexOf(kept, (byte) '\n');
                if (newline >= 0 && newline < kept.length - 1) {
                    kept = Arrays.copyOfRange(kept, newline + 1, kept.length); // drop the cut first line
                }
            }
            return clean(kept);
        }

        private static int indexOf(byte[] bytes, byte b) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Bytes as text a database column takes: malformed UTF-8 and NUL characters become U+FFFD. */
    static String clean(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer text = decoder.decode(ByteBuffer.wrap(bytes));
            return text.toString().replace('\0', '\uFFFD');
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // REPLACE never throws
        }
    }
}
