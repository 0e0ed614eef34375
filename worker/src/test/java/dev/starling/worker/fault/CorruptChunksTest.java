package dev.starling.worker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorruptChunksTest {

    @Test
    void flipsTheFirstByteOfACopy() {
        byte[] chunk = {1, 2, 3};

        assertThat(new CorruptChunks().apply(chunk)).containsExactly(~1, 2, 3);
        assertThat(chunk).as("the cache's bytes stay as they are").containsExactly(1, 2, 3);
    }

    @Test
    void anEmptyChunkHasNothingToFlip() {
        assertThat(new CorruptChunks().apply(new byte[0])).isEmpty();
    }
}
