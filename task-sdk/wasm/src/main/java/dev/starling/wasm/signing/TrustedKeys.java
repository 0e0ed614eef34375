package dev.starling.wasm.signing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The project's public keys a coordinator or a worker trusts (from its own configuration, never from the other side),
 * and the check of an app version's signature against them. A signature is made by a trusted key, or by a key that a
 * chain of {@link Announcement}s leads to from a trusted key (each one signed by the key before it): that is how a
 * project rotates its key without reconfiguring every worker.
 */
public final class TrustedKeys {
    /** The longest chain of announcements taken: a project rotates its key a few times, not hundreds. */
    public static final int MAX_CHAIN = 8;

    private final List<byte[]> keys;

    /** @param keys X.509 DER of each trusted Ed25519 public key */
    public TrustedKeys(List<byte[]> keys) {
        this.keys = keys.stream().map(byte[]::clone).toList();
        this.keys.forEach(SigningKeys::publicKey);
    }

    public static TrustedKeys none() {
        return new TrustedKeys(List.of());
    }

    /** Trusted keys from their texts (one line of Base64 each, or PEM). */
    public static TrustedKeys parse(List<String> texts) {
        return new TrustedKeys(texts.stream().map(SigningKeys::parsePublicKey).toList());
    }

    /** Whether no key is trusted: then signatures are not required (nor checked). */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The trusted keys' ids, for messages. */
    public List<String> ids() {
        return keys.stream().map(SigningKeys::keyId).toList();
    }

    /**
     * A new key announced by the key before it in a chain.
     *
     * @param publicKey the new key (X.509 DER)
     * @param signature the previous key's signature of {@link SigningKeys#announcementPayload}
     */
    public record Announcement(byte[] publicKey, byte[] signature) {}

    /** A signature with the announcements leading to its key from a trusted one (empty: a trusted key signed). */
    public record Signature(byte[] signature, List<Announcement> chain) {
        public Signature {
            chain = List.copyOf(chain);
        }
    }

    /**
     * Why {@code signature} is not a trusted signature of {@code fields}, or null when it is.
     *
     * @param signature null: unsigned
     */
    public String problem(SignedFields fields, Signature signature) {
        if (signature == null) {
            return fields.app() + " is not signed, and only apps signed with the project's key run here (trusted: "
                    + String.join(", ", ids()) + ")";
        }
        if (signature.chain().size() > MAX_CHAIN) {
            return "the signature's key chain has " + signature.chain().size() + " announcements, more than "
                    + MAX_CHAIN;
        }
        List<byte[]> signers = new ArrayList<>(keys);
        for (int i = 0; i < signature.chain().size(); i++) {
            Announcement announcement = signature.chain().get(i);
            byte[] payload = SigningKeys.announcementPayload(announcement.publicKey());
            byte[] announcer = signers.stream()
                    .filter(k -> SigningKeys.verify(k, payload, announcement.signature())).findFirst().orElse(null);
            if (announcer == null) {
                return "announcement " + (i + 1) + " of the signature's key chain (of key " + id(announcement
                        .publicKey()) + ") is not signed by " + (i == 0 ? "a trusted key (" + String.join(", ", ids())
                        + ")" : "the key announced before it");
            }
            signers = List.of(announcement.publicKey());
        }
        byte[] payload = fields.payload();
        for (byte[] key : signers) {
            if (SigningKeys.verify(key, payload, signature.signature())) {
                return null;
            }
        }
        return "the signature does not verify for " + fields + " with " + (signature.chain().isEmpty()
                ? "any trusted key (" + String.join(", ", ids()) + ")"
                : "the key its chain announces (" + id(signature.chain().getLast().publicKey()) + ")")
                + ": it was made for other fields (another version, module, limits, validation or credit) or another key";
    }

    private static String id(byte[] key) {
        try {
            SigningKeys.publicKey(key);
            return SigningKeys.keyId(key);
        } catch (IllegalArgumentException e) {
            return "not an Ed25519 key";
        }
    }

    @Override
    public String toString() {
        return "TrustedKeys" + Arrays.toString(ids().toArray());
    }
}
