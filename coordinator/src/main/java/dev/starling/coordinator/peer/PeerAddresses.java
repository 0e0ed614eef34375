package dev.starling.coordinator.peer;

/** Checks the "host:port" a worker advertises for its PeerService. */
public final class PeerAddresses {
    private PeerAddresses() {}

    public static boolean isValid(String address) {
        if (address == null || address.length() > 300) {
            return false;
        }
        int colon = address.lastIndexOf(':');
        if (colon < 1 || colon == address.length() - 1) {
            return false;
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port >= 1 && port <= 65535 && address.substring(0, colon).chars().noneMatch(Character::isWhitespace);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
