package dev.starling.coordinator.peer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.proto.v1.FetchGrant;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Signs and checks fetch tokens: {@code <payload>.<signature>}, base64url without padding, where payload is
 * a serialized {@link FetchGrant} and signature its Ed25519 signature (see peer.proto). The key pair lives
 * in the database, made by the first coordinator to start, so every coordinator on one database signs
 * tokens every worker accepts.
 *
 * <p>Signing costs about a tenth of a millisecond of CPU (the JDK's Ed25519), which a claim batch handing out
 * thousands of tasks a second that read one blob (a deployed app's module) cannot pay per task: {@link #token}
 * hands a host the token it got for the same blob and job a moment ago while that token's expiry is within a tenth of
 * {@code grant-ttl} of what a fresh one would get.
 */
@Component
public class FetchGrants {
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    private final Clock clock;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] publicKeyBytes;
    /** how far a reused token's expiry may be from the one asked for */
    private final Duration slack;
    private final Cache<Granted, Token> recent;

    /** What a token grants, less its expiry. */
    private record Granted(String blobId, long hostId, long jobId) {}

    private record Token(String token, Instant expires) {}

    FetchGrants(GrantKeyTable keys, Clock clock, StarlingProperties properties) {
        this.clock = clock;
        this.slack = properties.peers().grantTtl().dividedBy(10);
        this.recent = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(slack).build();
        try {
            KeyPair fresh = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            // the first coordinator's key wins; the others read it
            keys.insertIfAbsent(new GrantKeyTable.KeyPairBytes(fresh.getPrivate().getEncoded(),
                    fresh.getPublic().getEncoded()), clock.instant());
            GrantKeyTable.KeyPairBytes stored = keys.read();
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            this.privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(stored.privateKey()));
            this.publicKey = factory.generatePublic(new X509EncodedKeySpec(stored.publicKey()));
            this.publicKeyBytes = stored.publicKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the Ed25519 key that signs fetch tokens", e);
        }
    }

    /**
     * A secret for {@code purpose} derived from the signing key: SHA-256 of the purpose, a zero byte and the private
     * key. Every coordinator of one database derives the same, and it reveals nothing of the key.
     */
    public byte[] derivedSecret(String purpose) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(purpose.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return sha.digest(privateKey.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key (X.509 DER) workers check tokens with. */
    public byte[] publicKey() {
        return publicKeyBytes.clone();
    }

    /**
     * A token letting {@code hostId} fetch {@code blobId} for {@code jobId} until about {@code expires}: one signed
     * for the same grant recently when its expiry is within a tenth of {@code grant-ttl} of {@code expires}, else a
     * fresh one.
     */
    public String token(String blobId, long hostId, long jobId, Instant expires) {
        Granted granted = new Granted(blobId, hostId, jobId);
        Token cached = recent.getIfPresent(granted);
        if (cached != null && Duration.between(cached.expires(), expires).abs().compareTo(slack) <= 0) {
            return cached.token();
        }
        String token = sign(blobId, hostId, jobId, expires);
        recent.put(granted, new Token(token, expires));
        return token;
    }

    /** A token letting {@code hostId} fetch {@code blobId} for {@code jobId} until {@code expires}. */
    public String sign(String blobId, long hostId, long jobId, Instant expires) {
        byte[] payload = FetchGrant.newBuilder().setBlobId(blobId).setHostId(hostId).setJobId(jobId)
                .setExpiresEpochMillis(expires.toEpochMilli()).build().toByteArray();
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(payload);
            return ENCODE.encodeToString(payload) + "." + ENCODE.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a fetch token", e);
        }
    }

    /**
     * The grant a token carries when its signature is this coordinator's, it has not expired and it names
     * {@code blobId}; empty otherwise.
     */
    public Optional<FetchGrant> check(String token, String blobId) {
        return signed(token).filter(g -> g.getBlobId().equals(blobId) && g.getExpiresEpochMillis() >= clock.millis());
    }

    /** The grant a token carries when its signature is this coordinator's, whatever it grants and until when. */
    public Optional<FetchGrant> signed(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1 || dot == token.length() - 1) {
            return Optional.empty();
        }
        try {
            byte[] payload = DECODE.decode(token.substring(0, dot));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update(payload);
            if (!s.verify(DECODE.decode(token.substring(dot + 1)))) {
                return Optional.empty();
            }
            return Optional.of(FetchGrant.parseFrom(payload));
        } catch (IllegalArgumentException | InvalidProtocolBufferException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }
}
