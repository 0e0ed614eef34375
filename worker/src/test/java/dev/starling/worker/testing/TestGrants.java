package dev.starling.worker.testing;

import dev.starling.proto.v1.FetchGrant;
import dev.starling.worker.peer.transfer.FetchTokens;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** Signs fetch tokens as the coordinator does (see coordinator's FetchGrants), with a key of its own. */
public final class TestGrants {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair keys = newKeyPair();

    public byte[] publicKey() {
        return keys.getPublic().getEncoded();
    }

    /** A verifier that trusts this signer, as a registered worker's does. */
    public FetchTokens verifier() {
        FetchTokens tokens = new FetchTokens(Clock.systemUTC());
        tokens.trust(publicKey());
        return tokens;
    }

    /** A token for {@code blobId}, valid for an hour. */
    public String token(String blobId) {
        return token(blobId, Instant.now().plus(Duration.ofHours(1)));
    }

    public String token(String blobId, Instant expires) {
        return sign(keys, blobId, expires);
    }

    /** A well-formed token signed by a key no coordinator of ours holds. */
    public static String forged(String blobId) {
        return sign(newKeyPair(), blobId, Instant.now().plus(Duration.ofHours(1)));
    }

    private static String sign(KeyPair keys, String blobId, Instant expires) {
        byte[] payload = FetchGrant.newBuilder().setBlobId(blobId).setHostId(1).setJobId(7)
                .setExpiresEpochMillis(expires.toEpochMilli()).build().toByteArray();
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(keys.getPrivate());
            s.update(payload);
            return BASE64URL.encodeToString(payload) + "." + BASE64URL.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
