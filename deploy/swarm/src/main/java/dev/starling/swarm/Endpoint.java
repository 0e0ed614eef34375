package dev.starling.swarm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A coordinator's gRPC endpoint: {@code host:port}, with IPv6 literals in brackets ({@code [::1]:9090}).
 */
public record Endpoint(String host, int port) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port must be between 1 and 65535, was " + port);
        }
    }

    /** Parses {@code host:port}; the exception's message says what is wrong in words a user can act on. */
    public static Endpoint parse(String text) {
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
        String port = value.substring(colon + 1);
        try {
            return new Endpoint(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port must be a number, got '" + port + "' in '" + text + "'");
        }
    }

    /** Parses a comma-separated list {@code host:port[,host:port...]}. */
    public static List<Endpoint> parseList(String text) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String part : (text == null ? "" : text).split(",", -1)) {
            endpoints.add(parse(part));
        }
        return List.copyOf(endpoints);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
