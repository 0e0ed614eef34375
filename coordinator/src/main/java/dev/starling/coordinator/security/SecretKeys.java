package dev.starling.coordinator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The form of researchers' API keys and volunteers' account keys: {@code <prefix>_<id>_<secret>}, for example
 * {@code sr_12_Xq3...}. The prefix says what kind of key it is, the id names the row it belongs to (so checking a
 * key is one primary-key lookup), the secret is 256 random bits in base64url. Only SHA-256 of the secret is
 * stored: the secret is random, so a slow hash would add nothing but cost, and a leaked table leaks no key.
 */
public final class SecretKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretKeys() {}

    /** A new secret (base64url, 43 characters). */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String format(String prefix, long id, String secret) {
        return prefix + "_" + id + "_" + secret;
    }

    public static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code secret} is the one whose hash is stored, in constant time. */
    public static boolean matches(byte[] storedHash, String secret) {
        return storedHash != null && MessageDigest.isEqual(storedHash, hash(secret));
    }

    /** A key taken apart. */
    public record Parsed(String prefix, long id, String secret) {}

    /** The parts of a key of any kind; empty when it does not have the form. */
    public static Optional<Parsed> parse(String key) {
        if (key == null) {
            return Optional.empty();
        }
        String[] parts = key.strip().split("_", 3);
        if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty() || parts[2].length() > 200) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(parts[0], Long.parseLong(parts[1]), parts[2]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
