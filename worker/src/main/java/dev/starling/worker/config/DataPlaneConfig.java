package dev.starling.worker.config;

import java.util.Objects;
import java.util.Optional;

/**
 * What the volunteer chose about blobs and peers (the command line, after validation).
 *
 * @param cacheBytes the most bytes the blob cache holds ({@code --cache-size})
 * @param peerPort where the PeerService listens ({@code --peer-port}; 0: any free port)
 * @param uploadBytesPerSecond the cap on bytes served to peers per second ({@code --upload-rate}; 0: no cap)
 * @param downloadBytesPerSecond the cap on bytes fetched per second, from peers and the coordinator together
 *     ({@code --download-rate}; 0: no cap)
 * @param serving whether this worker serves peers
 * @param advertiseHost the host name or address peers dial ({@code --advertise-host}); empty: the address this
 *     machine reaches the coordinator from
 */
public record DataPlaneConfig(long cacheBytes, int peerPort, long uploadBytesPerSecond, long downloadBytesPerSecond,
        Serving serving,
        Optional<String> advertiseHost) {

    /** The cache's size unless the volunteer chooses one: enough for a few large inputs, small beside a disk. */
    public static final long DEFAULT_CACHE_BYTES = 4L << 30;

    /** Whether a worker serves its blobs to peers. */
    public enum Serving {
        /** it listens on its peer port and advertises it */
        PEERS,
        /** the volunteer opted out ({@code --no-serve}): no server, no address */
        NO_SERVE,
        /**
         * it cannot accept inbound connections ({@code --behind-nat}): no server, no address, but it still fetches
         * from the peers it can dial and from the coordinator
         */
        BEHIND_NAT
    }

    public DataPlaneConfig {
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(advertiseHost, "advertiseHost");
        if (cacheBytes < 1) {
            throw new IllegalArgumentException("the cache size must be positive, was " + cacheBytes);
        }
        if (peerPort < 0 || peerPort > 65535) {
            throw new IllegalArgumentException("the peer port must be 0 to 65535, was " + peerPort);
        }
        if (uploadBytesPerSecond < 0 || downloadBytesPerSecond < 0) {
            throw new IllegalArgumentException("rates must not be negative, were " + uploadBytesPerSecond + " and "
                    + downloadBytesPerSecond);
        }
    }

    public static DataPlaneConfig defaults() {
        return new DataPlaneConfig(DEFAULT_CACHE_BYTES, 0, 0, 0, Serving.PEERS, Optional.empty());
    }

    public boolean serves() {
        return serving == Serving.PEERS;
    }

    public DataPlaneConfig withServing(Serving value) {
        return new DataPlaneConfig(cacheBytes, peerPort, uploadBytesPerSecond, downloadBytesPerSecond, value, advertiseHost);
    }

    public DataPlaneConfig withDownloadRate(long bytesPerSecond) {
        return new DataPlaneConfig(cacheBytes, peerPort, uploadBytesPerSecond, bytesPerSecond, serving, advertiseHost);
    }

    public DataPlaneConfig withCacheBytes(long value) {
        return new DataPlaneConfig(value, peerPort, uploadBytesPerSecond, downloadBytesPerSecond, serving, advertiseHost);
    }
}
