package dev.starling.worker.peer.transfer;

import java.time.Duration;

/**
 * Timings and limits of fetching blobs. {@link #defaults()} is what a volunteer's worker uses; tests shorten
 * the timings through {@link #builder()}.
 *
 * @param peerCallTimeout the deadline of GetManifest and GetHave calls
 * @param chunkCallTimeout the deadline of one FetchChunks call (a few chunks): a peer slower than that is
 *     dropped for the transfer, and its chunks are asked of someone else
 * @param haveRefreshInterval how often the peers' bitfields are asked again while a fetch runs (peers that are
 *     fetching the blob too gain chunks meanwhile)
 * @param stallTimeout how long a fetch waits without a single new chunk, while peers are still reachable but
 *     offer nothing it lacks, before the blob counts as unavailable
 * @param chunksPerRequest the most chunks one FetchChunks call asks a peer for (the protocol allows 16)
 * @param requestsPerPeer how many FetchChunks calls may run at once against one peer (and the coordinator)
 * @param coordinatorAsksPerChunk how often the coordinator is asked for one chunk (it may answer with seeds
 *     first, then with the data once the seeds failed)
 * @param coordinatorFailures how many failed calls in a row make a fetch give up on the coordinator
 */
public record FetchTuning(
        Duration peerCallTimeout,
        Duration chunkCallTimeout,
        Duration haveRefreshInterval,
        Duration stallTimeout,
        int chunksPerRequest,
        int requestsPerPeer,
        int coordinatorAsksPerChunk,
        int coordinatorFailures) {

    public FetchTuning {
        if (chunksPerRequest < 1 || chunksPerRequest > ChunkService.MAX_CHUNKS_PER_CALL) {
            throw new IllegalArgumentException("chunksPerRequest must be 1 to " + ChunkService.MAX_CHUNKS_PER_CALL);
        }
        if (requestsPerPeer < 1 || coordinatorAsksPerChunk < 1 || coordinatorFailures < 1) {
            throw new IllegalArgumentException("requestsPerPeer, coordinatorAsksPerChunk and coordinatorFailures must be positive");
        }
    }

    /** What a volunteer's worker uses. */
    public static FetchTuning defaults() {
        return builder().build();
    }

    /** Starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts from these timings. */
    public Builder toBuilder() {
        return builder().peerCallTimeout(peerCallTimeout).chunkCallTimeout(chunkCallTimeout)
                .haveRefreshInterval(haveRefreshInterval).stallTimeout(stallTimeout).chunksPerRequest(chunksPerRequest)
                .requestsPerPeer(requestsPerPeer).coordinatorAsksPerChunk(coordinatorAsksPerChunk)
                .coordinatorFailures(coordinatorFailures);
    }

    /** Fetch timings, from the defaults up. */
    public static final class Builder {
        private Duration peerCallTimeout = Duration.ofSeconds(10);
        private Duration chunkCallTimeout = Duration.ofSeconds(60);
        private Duration haveRefreshInterval = Duration.ofSeconds(1);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private int chunksPerRequest = 4;
        private int requestsPerPeer = 2;
        private int coordinatorAsksPerChunk = 3;
        private int coordinatorFailures = 3;

        private Builder() {}

        public Builder peerCallTimeout(Duration value) {
            peerCallTimeout = value;
            return this;
        }

        public Builder chunkCallTimeout(Duration value) {
            chunkCallTimeout = value;
            return this;
        }

        public Builder haveRefreshInterval(Duration value) {
            haveRefreshInterval = value;
            return this;
        }

        public Builder stallTimeout(Duration value) {
            stallTimeout = value;
            return this;
        }

        public Builder chunksPerRequest(int value) {
            chunksPerRequest = value;
            return this;
        }

        public Builder requestsPerPeer(int value) {
            requestsPerPeer = value;
            return this;
        }

        public Builder coordinatorAsksPerChunk(int value) {
            coordinatorAsksPerChunk = value;
            return this;
        }

        public Builder coordinatorFailures(int value) {
            coordinatorFailures = value;
            return this;
        }

        public FetchTuning build() {
            return new FetchTuning(peerCallTimeout, chunkCallTimeout, haveRefreshInterval, stallTimeout,
                    chunksPerRequest, requestsPerPeer, coordinatorAsksPerChunk, coordinatorFailures);
        }
    }
}
