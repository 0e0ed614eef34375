package dev.starling.worker.fault;

import java.util.function.UnaryOperator;

/**
 * A fault for end-to-end tests of the data plane's defences: every chunk this worker serves goes out with its first
 * byte flipped, so that the worker receiving it finds it fails verification, drops this peer and complains of it to
 * the coordinator.
 */
public final class CorruptChunks implements UnaryOperator<byte[]> {
    @Override
    public byte[] apply(byte[] chunk) {
        if (chunk.length == 0) {
            return chunk;
        }
        byte[] wrong = chunk.clone();
        wrong[0] ^= (byte) 0xff;
        return wrong;
    }
}
