package dev.starling.worker.peer.cache;

import static dev.starling.worker.testing.TestBlobs.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.worker.testing.MutableClock;
import dev.starling.worker.testing.TestBlobs;
import dev.starling.worker.testing.TestPeer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private final List<String> dropped = new CopyOnWriteArrayList<>();
    private final CacheListener listener = new CacheListener() {
        @Override
        public void completed(String blobId) {
            completed.add(blobId);
        }

        @Override
        public void dropped(List<String> blobIds) {
            dropped.addAll(blobIds);
        }
    };

    private BlobCache open(long capacity) {
        return BlobCache.open(dir, capacity, listener, clock);
    }

    /** Stores {@code content} and lets go of it at once, as a task whose result was reported. */
    private String store(BlobCache cache, byte[] content) throws IOException {
        clock.advance(Duration.ofSeconds(1));
        BlobCache.StoredBlob stored = cache.store(new ByteArrayInputStream(content));
        stored.pin().close();
        return stored.blobId();
    }

    private static byte[] read(BlobCache cache, String id) throws IOException {
        try (InputStream in = cache.open(id)) {
            return in.readAllBytes();
        }
    }

    @Test
    void storesABlobUnderItsContentAddressAndReadsItBack() throws IOException {
        BlobCache cache = open(10L * CHUNK);
        byte[] content = TestBlobs.random(1, 2 * CHUNK + 500);

        BlobCache.StoredBlob stored = cache.store(new ByteArrayInputStream(content));

        assertThat(stored.blobId()).isEqualTo(TestBlobs.id(content));
        assertThat(stored.size()).isEqualTo(content.length);
        assertThat(read(cache, stored.blobId())).isEqualTo(content);
        assertThat(cache.size(stored.blobId())).isEqualTo(content.length);
        assertThat(cache.completeIds()).containsExactly(stored.blobId());
        assertThat(cache.usedBytes()).isEqualTo(content.length);
        assertThat(completed).containsExactly(stored.blobId());
        String hex = stored.blobId().substring("sha256:".length());
        assertThat(dir.resolve(hex + ".data")).exists();
        assertThat(dir.resolve(hex + ".manifest")).exists();
        assertThat(dir.resolve(hex + ".have")).doesNotExist();
    }

    @Test
    void storingTheSameBytesAgainKeepsOneCopy() throws IOException {
        BlobCache cache = open(10L * CHUNK);
        byte[] content = TestBlobs.random(2, CHUNK);
        String first = store(cache, content);
        String second = store(cache, content);
        assertThat(second).isEqualTo(first);
        assertThat(cache.usedBytes()).isEqualTo(CHUNK);
        assertThat(completed).containsExactly(first);
    }

    @Test
    void storesTheEmptyBlob() throws IOException {
        BlobCache cache = open(CHUNK);
        String id = store(cache, new byte[0]);
        assertThat(id).isEqualTo(TestBlobs.id(new byte[0]));
        assertThat(read(cache, id)).isEmpty();
    }

    @Test
    void writesOnlyChunksThatMatchTheirLeafHash() throws IOException {
        BlobCache cache = open(10L * CHUNK);
        byte[] content = TestBlobs.random(3, 2 * CHUNK);
        BlobManifest manifest = TestPeer.manifestOf(content);
        cache.prepareFetch(manifest);

        byte[] wrong = TestBlobs.chunk(content, 0);
        wrong[17] ^= 1;
        assertThat(cache.writeChunk(manifest.blobId(), 0, wrong)).isFalse();
        assertThat(cache.writeChunk(manifest.blobId(), 0, TestBlobs.chunk(content, 1))).isFalse();
        assertThat(cache.holding(manifest.blobId()).orElseThrow().verified().isEmpty()).isTrue();
        assertThat(cache.readChunk(manifest.blobId(), 0)).isEmpty();

        assertThat(cache.writeChunk(manifest.blobId(), 0, TestBlobs.chunk(content, 0))).isTrue();
        assertThat(cache.readChunk(manifest.blobId(), 0)).hasValueSatisfying(b -> assertThat(b).isEqualTo(TestBlobs.chunk(content, 0)));
        assertThat(cache.isComplete(manifest.blobId())).isFalse();
        assertThat(completed).isEmpty();
    }

    @Test
    void aPartialBlobKeepsItsVerifiedChunksAcrossARestartAndCompletesLater() throws IOException {
        byte[] content = TestBlobs.random(4, 3 * CHUNK - 10);
        BlobManifest manifest = TestPeer.manifestOf(content);
        BlobCache before = open(10L * CHUNK);
        before.prepareFetch(manifest);
        before.writeChunk(manifest.blobId(), 0, TestBlobs.chunk(content, 0));
        before.writeChunk(manifest.blobId(), 2, TestBlobs.chunk(content, 2));

        BlobCache after = open(10L * CHUNK);
        BlobCache.Holding held = after.holding(manifest.blobId()).orElseThrow();
        assertThat(held.complete()).isFalse();
        assertThat(held.verified().stream().boxed().toList()).containsExactly(0, 2);
        assertThat(held.manifest()).isEqualTo(manifest);
        assertThat(after.readChunk(manifest.blobId(), 2)).hasValueSatisfying(b -> assertThat(b).isEqualTo(TestBlobs.chunk(content, 2)));
        assertThat(after.readChunk(manifest.blobId(), 1)).isEmpty();
        assertThat(after.completeIds()).isEmpty();

        assertThat(after.writeChunk(manifest.blobId(), 1, TestBlobs.chunk(content, 1))).isTrue();
        assertThat(after.isComplete(manifest.blobId())).isTrue();
        assertThat(completed).containsExactly(manifest.blobId());

        BlobCache third = open(10L * CHUNK);
        assertThat(third.completeIds()).containsExactly(manifest.blobId());
        assertThat(read(third, manifest.blobId())).isEqualTo(content);
    }

    @Test
    void evictsTheLeastRecentlyUsedBlobsToStayWithinItsCapacity() throws IOException {
        BlobCache cache = open(3L * CHUNK);
        String a = store(cache, TestBlobs.random(10, CHUNK));
        String b = store(cache, TestBlobs.random(11, CHUNK));
        String c = store(cache, TestBlobs.random(12, CHUNK));
        read(cache, a); // a is used again: b is now the least recently used

        String d = store(cache, TestBlobs.random(13, CHUNK));

        assertThat(dropped).containsExactly(b);
        assertThat(cache.completeIds()).containsExactlyInAnyOrder(a, c, d);
        assertThat(cache.usedBytes()).isEqualTo(3L * CHUNK);
        assertThat(dir.resolve(b.substring(7) + ".data")).doesNotExist();
    }

    @Test
    void dropsWhatTheCoordinatorNoLongerKeepsButForBlobsATaskUses() throws IOException {
        BlobCache cache = open(10L * CHUNK);
        String a = store(cache, TestBlobs.random(30, CHUNK));
        String b = store(cache, TestBlobs.random(31, CHUNK));
        String c = store(cache, TestBlobs.random(32, CHUNK));
        Pin inUse = cache.pin(b);

        assertThat(cache.drop(List.of(a, b, "sha256:" + "0".repeat(64)))).containsExactly(a);

        assertThat(dropped).as("announced as dropped").containsExactly(a);
        assertThat(cache.completeIds()).containsExactlyInAnyOrder(b, c);
        assertThat(cache.usedBytes()).isEqualTo(2L * CHUNK);
        assertThat(dir.resolve(a.substring(7) + ".data")).doesNotExist();
        inUse.close();
        assertThat(cache.completeIds()).as("unpinned, it stays until evicted").contains(b);
    }

    @Test
    void neverEvictsAPinnedBlobAndShrinksBackOnceItIsUnpinned() throws IOException {
        BlobCache cache = open(2L * CHUNK);
        String a = store(cache, TestBlobs.random(20, CHUNK));
        Pin pinA = cache.pin(a);
        String b = store(cache, TestBlobs.random(21, CHUNK));

        String c = store(cache, TestBlobs.random(22, CHUNK)); // a is the oldest, but pinned: b goes
        assertThat(dropped).containsExactly(b);

        Pin pinC = cache.pin(c);
        BlobCache.StoredBlob d = cache.store(new ByteArrayInputStream(TestBlobs.random(23, CHUNK)));
        assertThat(cache.completeIds()).containsExactlyInAnyOrder(a, c, d.blobId());
        assertThat(cache.usedBytes()).isGreaterThan(cache.capacity()); // everything is needed right now

        pinA.close();
        assertThat(dropped).containsExactly(b, a);
        assertThat(cache.usedBytes()).isEqualTo(2L * CHUNK);
        pinC.close();
        d.pin().close();
        assertThat(cache.completeIds()).containsExactlyInAnyOrder(c, d.blobId());
    }

    @Test
    void aBlobCanBePinnedBeforeItArrives() throws IOException {
        BlobCache cache = open(CHUNK);
        byte[] content = TestBlobs.random(24, CHUNK);
        Pin early = cache.pin(TestBlobs.id(content));
        store(cache, content);
        store(cache, TestBlobs.random(25, CHUNK)); // does not fit beside the pinned one
        assertThat(cache.isComplete(TestBlobs.id(content))).isTrue();
        early.close();
    }

    @Test
    void theLeastRecentlyUsedOrderSurvivesARestart() throws IOException {
        BlobCache before = open(3L * CHUNK);
        String a = store(before, TestBlobs.random(30, CHUNK));
        String b = store(before, TestBlobs.random(31, CHUNK));
        String c = store(before, TestBlobs.random(32, CHUNK));
        clock.advance(Duration.ofSeconds(1));
        read(before, a);

        BlobCache after = open(3L * CHUNK);
        store(after, TestBlobs.random(33, CHUNK));

        assertThat(dropped).containsExactly(b);
        assertThat(after.completeIds()).contains(a, c);
    }

    @Test
    void aRestartWithASmallerCapacityEvictsTheOldestAndSweepsUnfinishedWrites() throws IOException {
        BlobCache before = open(4L * CHUNK);
        String a = store(before, TestBlobs.random(40, CHUNK));
        String b = store(before, TestBlobs.random(41, CHUNK));
        Files.write(dir.resolve("0b6e2f4c-unfinished.tmp"), new byte[10]);
        String orphan = "ab".repeat(32);
        Files.write(dir.resolve(orphan + ".data"), new byte[10]); // data without a manifest: a crash mid-write

        BlobCache after = open(CHUNK);

        assertThat(after.completeIds()).containsExactly(b);
        assertThat(dropped).containsExactly(a);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(b.substring(7) + ".data", b.substring(7) + ".manifest");
        }
    }

    @Test
    void refusesABlobLargerThanTheWholeCache() throws IOException {
        BlobCache cache = open(CHUNK);
        byte[] content = TestBlobs.random(50, CHUNK + 1);

        assertThatThrownBy(() -> cache.store(new ByteArrayInputStream(content)))
                .isInstanceOf(BlobTooLargeException.class)
                .hasMessage("blob of 1048577 bytes is larger than this worker's blob cache (--cache-size 1 MiB)");
        assertThatThrownBy(() -> cache.prepareFetch(TestPeer.manifestOf(content)))
                .isInstanceOf(BlobTooLargeException.class)
                .hasMessageContaining(TestBlobs.id(content));
        assertThat(cache.usedBytes()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aChunkDamagedOnDiskIsNotServedAndTheBlobIsDropped() throws IOException {
        BlobCache cache = open(10L * CHUNK);
        byte[] content = TestBlobs.random(60, 2 * CHUNK);
        String id = store(cache, content);
        try (RandomAccessFile data = new RandomAccessFile(dir.resolve(id.substring(7) + ".data").toFile(), "rw")) {
            data.seek(CHUNK + 5);
            data.write(content[CHUNK + 5] ^ 1);
        }

        assertThat(cache.readChunk(id, 0)).isPresent();
        assertThat(cache.readChunk(id, 1)).isEmpty();
        assertThat(dropped).containsExactly(id);
        assertThat(cache.holding(id)).isEmpty();
    }
}
