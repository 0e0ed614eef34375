package dev.starling.coordinator.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.sdk.ContentAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UploadPacerTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(5 * SECOND);

    @Test
    void noCapNeverPauses() {
        UploadPacer pacer = new UploadPacer(0, now::get);
        assertThat(pacer.sent(100L * ContentAddress.CHUNK_SIZE)).isZero();
    }

    @Test
    void oneChunkGoesAtOnceAndWhatFollowsWaitsForTheRate() {
        long chunk = ContentAddress.CHUNK_SIZE;
        UploadPacer pacer = new UploadPacer(chunk, now::get); // one chunk per second
        assertThat(pacer.sent(chunk)).isZero();
        assertThat(pacer.sent(chunk)).isEqualTo(SECOND);
        now.addAndGet(SECOND);
        // the debt is paid; another chunk puts the bucket in debt again by one chunk
        assertThat(pacer.sent(chunk)).isEqualTo(SECOND);
        now.addAndGet(10 * SECOND);
        // an idle spell fills the bucket to one chunk, no more: no burst past the rate
        assertThat(pacer.sent(chunk)).isZero();
        assertThat(pacer.sent(chunk / 2)).isEqualTo(SECOND / 2);
    }

    @Test
    void aNegativeRateIsAMistake() {
        assertThatThrownBy(() -> new UploadPacer(-1, now::get)).hasMessageContaining("upload-rate");
    }
}
