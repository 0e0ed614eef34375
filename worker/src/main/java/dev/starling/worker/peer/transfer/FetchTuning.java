package dev.starling.worker.peer.transfer;

import java.time.Duration;

/**
 * Timings and limits of fetching blobs. {@link #defaults()} is what a volunteer's worker uses; tests shorten
 * the timings.
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

    public static FetchTuning defaults() {
        return new FetchTuning(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 4, 2, 3, 3);
    }
}
