package dev.starling.worker.config;

import dev.starling.worker.support.ByteSizes;
import java.util.Objects;
import java.util.Optional;

/**
 * What the volunteer chose about blobs and peers, checked; a refusal names the setting as the volunteer wrote it.
 *
 * @param cacheBytes the most bytes the blob cache holds, at least one chunk, 1 MiB ({@code --cache-size})
 * @param peerPort where the PeerService listens ({@code --peer-port}; 0: any free port)
 * @param uploadBytesPerSecond the cap on bytes served to peers per second, at least 1 KiB ({@code --upload-rate};
 *     0: no cap)
 * @param downloadBytesPerSecond the cap on bytes fetched per second, from peers and the coordinator together, at
 *     least 64 KiB ({@code --download-rate}; 0: no cap)
 * @param serving whether this worker serves peers
 * @param advertiseHost the host name or address peers dial, without a port or brackets ({@code --advertise-host});
 *     empty: the address this machine reaches the coordinator from
 */
public record DataPlaneConfig(long cacheBytes, int peerPort, long uploadBytesPerSecond, long downloadBytesPerSecond,
        Serving serving,
        Optional<String> advertiseHost) {

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
        advertiseHost = Objects.requireNonNull(advertiseHost, "advertiseHost").map(DataPlaneConfig::hostWithoutPort);
        if (cacheBytes < 1 << 20) {
            throw new IllegalArgumentException("--cache-size must be at least 1M (one chunk), was " + cacheBytes
                    + " bytes");
        }
        if (peerPort < 0 || peerPort > 65535) {
            throw new IllegalArgumentException("--peer-port must be 0 to 65535, was " + peerPort);
        }
        if (uploadBytesPerSecond != 0 && uploadBytesPerSecond < 1024) {
            throw new IllegalArgumentException("--upload-rate must be at least 1K (bytes per second), was "
                    + uploadBytesPerSecond);
        }
        if (downloadBytesPerSecond != 0 && downloadBytesPerSecond < 64 * 1024) {
            throw new IllegalArgumentException("--download-rate must be at least 64K (bytes per second), was "
                    + downloadBytesPerSecond);
        }
    }

    public static DataPlaneConfig defaults() {
        return builder().build();
    }

    /** Starts from the {@link Defaults}. */
    public static Builder builder() {
        return new Builder();
    }

    public boolean serves() {
        return serving == Serving.PEERS;
    }

    /** A host name or address as {@code --advertise-host} takes it: no port, an IPv6 address bare or in brackets. */
    private static String hostWithoutPort(String value) {
        try {
            return HostPort.host(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--advertise-host takes a host name or address without a port (the port"
                    + " is --peer-port's), was '" + value + "'");
        }
    }

    /** A data plane's settings, from the defaults up. */
    public static final class Builder {
        private long cacheBytes = ByteSizes.parse(Defaults.CACHE_SIZE);
        private int peerPort = Integer.parseInt(Defaults.PEER_PORT);
        private long uploadBytesPerSecond;
        private long downloadBytesPerSecond;
        private Serving serving = Serving.PEERS;
        private Optional<String> advertiseHost = Optional.empty();

        private Builder() {}

        public Builder cacheBytes(long value) {
            cacheBytes = value;
            return this;
        }

        public Builder peerPort(int value) {
            peerPort = value;
            return this;
        }

        /** 0: no cap. */
        public Builder uploadBytesPerSecond(long value) {
            uploadBytesPerSecond = value;
            return this;
        }

        /** 0: no cap. */
        public Builder downloadBytesPerSecond(long value) {
            downloadBytesPerSecond = value;
            return this;
        }

        public Builder serving(Serving value) {
            serving = value;
            return this;
        }

        public Builder advertiseHost(Optional<String> value) {
            advertiseHost = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is wrong */
        public DataPlaneConfig build() {
            return new DataPlaneConfig(cacheBytes, peerPort, uploadBytesPerSecond, downloadBytesPerSecond, serving,
                    advertiseHost);
        }
    }
}
