package dev.starling.wasm.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedKeysTest {
    static final SignedFields FIELDS = new SignedFields("collatz", "1.0.0", "sha256:" + "ab".repeat(32), 256, 3600,
            1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0);

    private final KeyPair first = SigningKeys.generate();
    private final KeyPair second = SigningKeys.generate();
    private final TrustedKeys trusted = new TrustedKeys(List.of(first.getPublic().getEncoded()));

    @Test
    void aSignatureByATrustedKeyVerifies() {
        byte[] signature = SigningKeys.sign(first.getPrivate(), FIELDS.payload());
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(signature, List.of()))).isNull();
    }

    @Test
    void everySignedFieldIsCovered() {
        byte[] signature = SigningKeys.sign(first.getPrivate(), FIELDS.payload());
        List<SignedFields> others = List.of(
                new SignedFields("collatz", "0.9.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", "sha256:" + "cd".repeat(32), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 512, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 7200, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 21, 64L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 65L << 20, true, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, false, "bitwise", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "numeric", 0, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 1e-9, 0, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 1e-9, 1.0),
                new SignedFields("collatz", "1.0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 2.0),
                // length prefixes: moving a character between name and version changes the payload
                new SignedFields("collatz1", ".0.0", FIELDS.module(), 256, 3600, 1 << 20, 64L << 20, true, "bitwise", 0, 0, 1.0));
        for (SignedFields other : others) {
            assertThat(trusted.problem(other, new TrustedKeys.Signature(signature, List.of())))
                    .as(other.toString()).contains("does not verify");
        }
    }

    @Test
    void thePayloadIsTheDocumentedEncoding() {
        byte[] payload = new SignedFields("a", "1.0.0", "sha256:00", 1, 2, 3, 4, true, "bitwise", 0, 0, 1.0).payload();
        assertThat(HexFormat.of().formatHex(payload)).isEqualTo(
                "00000019" + HexFormat.of().formatHex("starling-app-signature-v1".getBytes())
                + "00000001" + "61" + "00000005" + HexFormat.of().formatHex("1.0.0".getBytes())
                + "00000009" + HexFormat.of().formatHex("sha256:00".getBytes())
                + "0000000000000001" + "0000000000000002" + "0000000000000003" + "0000000000000004" + "01"
                + "00000007" + HexFormat.of().formatHex("bitwise".getBytes())
                + "0000000000000000" + "0000000000000000" + "3ff0000000000000");
    }

    @Test
    void anUnsignedAppOrAnotherKeysSignatureIsRefused() {
        assertThat(trusted.problem(FIELDS, null)).contains("is not signed");
        byte[] signature = SigningKeys.sign(second.getPrivate(), FIELDS.payload());
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(signature, List.of()))).contains("does not verify");
    }

    @Test
    void aKeyAnnouncedByATrustedKeySigns() {
        byte[] newKey = second.getPublic().getEncoded();
        var announcement = new TrustedKeys.Announcement(newKey,
                SigningKeys.sign(first.getPrivate(), SigningKeys.announcementPayload(newKey)));
        byte[] signature = SigningKeys.sign(second.getPrivate(), FIELDS.payload());
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(signature, List.of(announcement)))).isNull();

        // a third key announced by the second
        KeyPair third = SigningKeys.generate();
        byte[] thirdKey = third.getPublic().getEncoded();
        var next = new TrustedKeys.Announcement(thirdKey,
                SigningKeys.sign(second.getPrivate(), SigningKeys.announcementPayload(thirdKey)));
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(SigningKeys.sign(third.getPrivate(),
                FIELDS.payload()), List.of(announcement, next)))).isNull();
        // ... but not in the wrong order, nor alone
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(SigningKeys.sign(third.getPrivate(),
                FIELDS.payload()), List.of(next)))).contains("announcement 1").contains("not signed by a trusted key");
    }

    @Test
    void aKeyThatAnnouncesItselfIsNotTrusted() {
        byte[] newKey = second.getPublic().getEncoded();
        var selfSigned = new TrustedKeys.Announcement(newKey,
                SigningKeys.sign(second.getPrivate(), SigningKeys.announcementPayload(newKey)));
        byte[] signature = SigningKeys.sign(second.getPrivate(), FIELDS.payload());
        assertThat(trusted.problem(FIELDS, new TrustedKeys.Signature(signature, List.of(selfSigned))))
                .contains("not signed by a trusted key");
    }

    @Test
    void anAppSignatureIsNoAnnouncement() {
        // domain separation: a signature over an app's payload never passes as an announcement, and the reverse
        byte[] newKey = second.getPublic().getEncoded();
        assertThat(SigningKeys.verify(first.getPublic().getEncoded(), SigningKeys.announcementPayload(newKey),
                SigningKeys.sign(first.getPrivate(), FIELDS.payload()))).isFalse();
    }

    @Test
    void keysReadBackFromTheirTexts() {
        byte[] der = first.getPublic().getEncoded();
        assertThat(SigningKeys.parsePublicKey(SigningKeys.publicKeyText(der))).isEqualTo(der);
        assertThat(SigningKeys.parsePublicKey(SigningKeys.publicKeyPem(der))).isEqualTo(der);
        var key = SigningKeys.parsePrivateKey(SigningKeys.privateKeyPem(first.getPrivate()));
        assertThat(SigningKeys.verify(der, FIELDS.payload(), SigningKeys.sign(key, FIELDS.payload()))).isTrue();
        assertThatThrownBy(() -> SigningKeys.parsePublicKey("not a key!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKeys.parsePublicKey("AAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKeys.parsePrivateKey(SigningKeys.publicKeyPem(der)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
