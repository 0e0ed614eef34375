package dev.starling.worker.config;

import java.util.Objects;

/**
 * Where the coordinator's gRPC endpoint listens: {@code host:port}, with IPv6 literals in brackets
 * ({@code [::1]:9090}).
 */
public record CoordinatorAddress(String host, int port) {

    public CoordinatorAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port must be between 1 and 65535, was " + port);
        }
    }

    /** Parses {@code host:port}; the message of the exception says what is wrong in words a user can act on. */
    public static CoordinatorAddress parse(String text) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT (for example localhost:9090), got '" + text + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write an IPv6 address in brackets, as in [::1]:9090; got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port must be a number, got '" + value.substring(colon + 1) + "'");
        }
        return new CoordinatorAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
