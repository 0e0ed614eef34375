package dev.starling.worker.peer.cache;

import static dev.starling.worker.testing.TestBlobs.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.Manifest;
import dev.starling.worker.testing.TestBlobs;
import dev.starling.worker.testing.TestPeer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobManifestTest {
    private final byte[] content = TestBlobs.random(1, 2 * CHUNK + 3);
    private final String id = TestBlobs.id(content);
    private final Manifest manifest = TestPeer.manifestOf(content).toProto();

    @Test
    void acceptsAManifestWhoseLeavesAddUpToTheBlobId() throws BadManifestException {
        BlobManifest m = BlobManifest.received(manifest, id, content.length);
        assertThat(m.chunkCount()).isEqualTo(3);
        assertThat(m.chunkLength(2)).isEqualTo(3);
        assertThat(m.verifies(2, TestBlobs.chunk(content, 2))).isTrue();
        assertThat(m.verifies(1, TestBlobs.chunk(content, 2))).isFalse();
    }

    @Test
    void refusesAManifestWithATamperedLeaf() {
        List<ByteString> leaves = new ArrayList<>(manifest.getLeafHashesList());
        byte[] leaf = leaves.get(1).toByteArray();
        leaf[0] ^= 1;
        leaves.set(1, ByteString.copyFrom(leaf));
        Manifest tampered = manifest.toBuilder().clearLeafHashes().addAllLeafHashes(leaves).build();

        assertThatThrownBy(() -> BlobManifest.received(tampered, id, content.length))
                .isInstanceOf(BadManifestException.class)
                .hasMessageContaining("the leaf hashes add up to sha256:")
                .hasMessageEndingWith("not to " + id);
    }

    @Test
    void refusesAManifestForAnotherBlobOrSize() {
        assertThatThrownBy(() -> BlobManifest.received(manifest, TestBlobs.id(new byte[0]), content.length))
                .hasMessageStartingWith("it describes " + id);
        assertThatThrownBy(() -> BlobManifest.received(manifest, id, content.length + 1L))
                .hasMessage("it gives " + content.length + " bytes where the coordinator said " + (content.length + 1));
        assertThatThrownBy(() -> BlobManifest.received(manifest.toBuilder().setSize(CHUNK).build(), id, CHUNK))
                .hasMessage("a blob of 1048576 bytes has 1 chunks, but 3 leaf hashes were given");
        assertThatThrownBy(() -> BlobManifest.received(manifest.toBuilder().setChunkSize(4096).build(), id, content.length))
                .hasMessage("its chunk size is 4096 instead of 1048576");
    }
}
