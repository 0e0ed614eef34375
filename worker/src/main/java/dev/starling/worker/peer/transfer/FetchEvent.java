package dev.starling.worker.peer.transfer;

import dev.starling.proto.v1.Have;
import dev.starling.proto.v1.Peer;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;

/** What the calls tell the fetch thread. */
sealed interface FetchEvent {
    /** A GetHave answered (have) or failed (failure). */
    record HaveAnswered(FetchSource source, Have have, StatusRuntimeException failure) implements FetchEvent {}

    /** A verified chunk was written to the cache. */
    record ChunkStored(FetchSource source, int index, int bytes) implements FetchEvent {}

    /** The coordinator named seeds for a chunk instead of sending it. */
    record Redirected(int index, List<Peer> seeds) implements FetchEvent {}

    /**
     * A FetchChunks call ended: cleanly, with a failure, at a bad chunk (badChunk >= 0) or because the cache
     * failed (localFailure).
     */
    record RequestEnded(FetchSource source, BitSet requested, BitSet delivered, BitSet redirected, int badChunk,
            StatusRuntimeException failure, IOException localFailure) implements FetchEvent {}

    /** Another task joined the fetch with these peers and its token. */
    record PeersAdded(List<Peer> peers, String token) implements FetchEvent {}

    /** Nobody waits any more. */
    record Cancelled() implements FetchEvent {}
}
