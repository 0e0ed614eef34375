package dev.starling.wasm.signing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A project's Ed25519 signing keys, with the JDK's own provider: making a pair, their text forms, signing and checking.
 * A private key is kept as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), a public key travels as the Base64 of its
 * X.509 SubjectPublicKeyInfo (one line, {@code MCowBQYDK2VwAyEA...}); PEM is read too, so OpenSSL's files work
 * ({@code openssl genpkey -algorithm ed25519}).
 */
public final class SigningKeys {
    private static final String ALGORITHM = "Ed25519";
    /** The domain of a key announcement: the first field of its payload. */
    public static final String ANNOUNCEMENT_FORMAT = "starling-key-announcement-v1";

    private SigningKeys() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** The Ed25519 signature (64 bytes) of {@code payload}. */
    public static byte[] sign(PrivateKey key, byte[] payload) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(payload);
            return signature.sign();
        } catch (NoSuchAlgorithmException | SignatureException e) {
            throw new IllegalStateException("cannot sign with Ed25519", e);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is the signature of {@code payload} by the key {@code publicKey} (X.509 DER). */
    public static boolean verify(byte[] publicKey, byte[] payload, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(publicKey(publicKey));
            verifier.update(payload);
            return verifier.verify(signature);
        } catch (IllegalArgumentException | InvalidKeyException | SignatureException e) {
            return false;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /**
     * The public key of its X.509 SubjectPublicKeyInfo (DER).
     *
     * @throws IllegalArgumentException when it is not an Ed25519 public key
     */
    public static PublicKey publicKey(byte[] der) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (InvalidKeySpecException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /**
     * A public key's X.509 DER from its text: one line of Base64, or PEM ({@code -----BEGIN PUBLIC KEY-----}).
     *
     * @throws IllegalArgumentException when it is not an Ed25519 public key
     */
    public static byte[] parsePublicKey(String text) {
        byte[] der = base64(text, "a public key");
        publicKey(der);
        return der;
    }

    /** The one-line text of a public key: the Base64 of its X.509 DER. */
    public static String publicKeyText(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }

    /** A private key in PKCS#8 PEM, as {@code app keygen} writes it. */
    public static String privateKeyPem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /** A public key in PEM. */
    public static String publicKeyPem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + publicKeyText(der) + "\n-----END PUBLIC KEY-----\n";
    }

    /**
     * The private key of PKCS#8 PEM (or its Base64 alone).
     *
     * @throws IllegalArgumentException when it is not an Ed25519 private key
     */
    public static PrivateKey parsePrivateKey(String text) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(base64(text,
                    "a private key")));
        } catch (InvalidKeySpecException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 private key (PKCS#8 PEM, as app keygen writes it)", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** A short name of a key for messages: {@code ed25519:} and 16 hex digits of the SHA-256 of its DER. */
    public static String keyId(byte[] der) {
        try {
            return "ed25519:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes the old key signs to announce {@code newKey} (X.509 DER): its domain, then the key, length-prefixed. */
    public static byte[] announcementPayload(byte[] newKey) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            SignedFields.string(out, ANNOUNCEMENT_FORMAT);
            out.writeInt(newKey.length);
            out.write(newKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] base64(String text, String what) {
        StringBuilder body = new StringBuilder();
        for (String line : text.strip().split("\\R")) {
            if (!line.startsWith("-----")) {
                body.append(line.strip());
            }
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not " + what + ": neither PEM nor one line of Base64", e);
        }
    }
}
