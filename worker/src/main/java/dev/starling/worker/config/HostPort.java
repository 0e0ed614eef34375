package dev.starling.worker.config;

import java.util.Objects;

/**
 * A host and a port as the worker reads and writes them, {@code host:port}, with an IPv6 address in brackets
 * ({@code [::1]:9090}): the coordinator's address ({@code --coordinator}), the host peers dial
 * ({@code --advertise-host}) and the address the worker advertises to them. The one parser of them in the worker.
 *
 * @param host a host name or an address, an IPv6 one without brackets
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port must be between 1 and 65535, was " + port);
        }
    }

    /** Parses {@code host:port}; the message of the exception says what is wrong in words a user can act on. */
    public static HostPort parse(String text) {
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
        return new HostPort(host, port);
    }

    /**
     * Parses a host without a port: a name, or an address (an IPv6 one bare or in brackets); returns it without
     * brackets.
     *
     * @throws IllegalArgumentException when it is empty, holds blanks, is too long or has a port
     */
    public static String host(String text) {
        String host = text.strip();
        boolean ipv6 = host.startsWith("[") ? host.endsWith("]") : host.chars().filter(c -> c == ':').count() > 1;
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace) || host.length() > 253
                || (host.contains(":") && !ipv6)) {
            throw new IllegalArgumentException("not a host name or address without a port: '" + text + "'");
        }
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
