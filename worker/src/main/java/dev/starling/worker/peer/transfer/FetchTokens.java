package dev.starling.worker.peer.transfer;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.FetchGrant;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks the fetch tokens peers present, without asking the coordinator: a token is
 * {@code <payload>.<signature>} (base64url, no padding), the payload a serialized {@link FetchGrant} and the
 * signature its Ed25519 signature by the coordinator, whose public key arrives with every registration
 * ({@link #trust}). This is what keeps a worker from serving its blobs to anyone but the hosts the
 * coordinator gave work that reads them.
 */
public final class FetchTokens {
    /**
     * How far this machine's clock may be behind the coordinator's before a token it signed looks expired.
     * Volunteers' clocks drift; a token's lifetime is much longer than this.
     */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    private final Clock clock;
    private final AtomicReference<PublicKey> coordinatorKey = new AtomicReference<>();

    public FetchTokens(Clock clock) {
        this.clock = clock;
    }

    /**
     * Trusts tokens signed with {@code x509} (RegisterResponse.grant_public_key), from now on.
     *
     * @throws IllegalArgumentException when the bytes are no Ed25519 public key
     */
    public void trust(byte[] x509) {
        try {
            coordinatorKey.set(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the coordinator's grant key is no Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * The grant {@code token} carries, when it is the coordinator's, has not expired and names {@code blobId}.
     *
     * @throws StatusRuntimeException UNAUTHENTICATED (no token, not a token, not the coordinator's signature,
     *     expired), PERMISSION_DENIED (it grants another blob) or UNAVAILABLE (no key yet), each with a
     *     description the requesting peer can log as it is
     */
    public FetchGrant check(String token, String blobId) {
        PublicKey key = coordinatorKey.get();
        if (key == null) {
            throw refuse(Status.UNAVAILABLE, "this worker has not registered with its coordinator yet, so it cannot "
                    + "check fetch tokens; retry shortly");
        }
        if (token == null || token.isEmpty()) {
            throw refuse(Status.UNAUTHENTICATED, "no fetch token: peers serve a blob only to hosts the coordinator "
                    + "gave work that reads it (send BlobSource.token)");
        }
        int dot = token.indexOf('.');
        if (dot < 1 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
            throw malformed();
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = BASE64URL.decode(token.substring(0, dot));
            signature = BASE64URL.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        if (!signedBy(key, payload, signature)) {
            throw refuse(Status.UNAUTHENTICATED, "the fetch token is not signed by this worker's coordinator");
        }
        FetchGrant grant;
        try {
            grant = FetchGrant.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw malformed();
        }
        Instant expires = Instant.ofEpochMilli(grant.getExpiresEpochMillis());
        if (clock.instant().isAfter(expires.plus(CLOCK_SKEW))) {
            throw refuse(Status.UNAUTHENTICATED, "the fetch token expired at " + expires + "; the coordinator hands a "
                    + "fresh one with each task");
        }
        if (!grant.getBlobId().equals(blobId)) {
            throw refuse(Status.PERMISSION_DENIED, "the fetch token grants blob " + grant.getBlobId() + ", not " + blobId);
        }
        return grant;
    }

    private static boolean signedBy(PublicKey key, byte[] payload, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(payload);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a signature of the wrong length or form
        }
    }

    private static StatusRuntimeException malformed() {
        return refuse(Status.UNAUTHENTICATED, "the fetch token is malformed: expected <payload>.<signature> in base64url");
    }

    private static StatusRuntimeException refuse(Status status, String description) {
        return status.withDescription(description).asRuntimeException();
    }
}
