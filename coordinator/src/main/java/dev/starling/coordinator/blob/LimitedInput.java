package dev.starling.coordinator.blob;

import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.ContentTooLargeException;
import java.io.IOException;
import java.io.InputStream;

/**
 * An upload's body as the blob store reads it: counted, refused as soon as it passes the size limit, and a
 * failure to read it (the client went away or sent a broken body) told apart from the store's own I/O errors.
 */
final class LimitedInput extends InputStream {
    private final InputStream in;
    private final long limit;
    private final String tooLarge;
    private long count;

    LimitedInput(InputStream in, long limit, String tooLarge) {
        this.in = in;
        this.limit = limit;
        this.tooLarge = tooLarge;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (IOException e) {
            throw new BadRequestException("body", "the upload broke off after " + count + " bytes (" + e.getMessage() + ")");
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new ContentTooLargeException(tooLarge);
            }
        }
        return n;
    }
}
