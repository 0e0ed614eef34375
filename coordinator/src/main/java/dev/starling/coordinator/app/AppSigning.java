package dev.starling.coordinator.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.coordinator.StarlingProperties;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.KeyAnnouncement;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import dev.starling.wasm.signing.TrustedKeys;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Signed apps: the project's public keys ({@code starling.apps.signing.public-keys}), the check of a deploy's
 * {@code signature} part against them, and the {@link AppSignature} stored with the version and sent to workers with
 * each of its tasks. Without keys, deploys are unsigned and a signature is refused (nothing here could check it).
 *
 * <p>The part, as {@code starling app sign} writes it: {@code {"format":"starling-app-signature-v1","signature":
 * "<Base64>","chain":[{"format":"starling-key-announcement-v1","key":"<Base64 X.509>","signature":"<Base64>"}]}}.
 */
@Component
class AppSigning {
    /** the largest signature part: a signature and a chain of eight announcements fit many times over */
    static final int MAX_PART_BYTES = 16 * 1024;
    static final String PART = "signature";

    private final TrustedKeys trusted;
    private final JsonMapper json;

    AppSigning(StarlingProperties properties, JsonMapper json) {
        try {
            this.trusted = TrustedKeys.parse(properties.apps().signing().publicKeys());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("starling.apps.signing.public-keys: " + e.getMessage()
                    + "; give each key as one line of Base64, as starling app keygen prints it", e);
        }
        this.json = json;
    }

    /** Whether deploys must be signed. */
    boolean required() {
        return !trusted.isEmpty();
    }

    /** The signed fields of a manifest and its module. */
    static SignedFields fields(Manifest manifest, String module) {
        Manifest.Limits l = manifest.limits();
        Validation v = manifest.validation();
        double rel = v instanceof Validation.Numeric n ? n.relTolerance() : 0;
        double abs = v instanceof Validation.Numeric n ? n.absTolerance() : 0;
        return new SignedFields(manifest.name(), manifest.version(), module, l.memoryMiB(), l.maxCpuSeconds(),
                l.maxOutputBytes(), l.maxScratchBytes(), manifest.deterministic(),
                v instanceof Validation.Numeric ? "numeric" : "bitwise", rel, abs, manifest.creditPerWorkUnit());
    }

    /**
     * The signature to store with a version: checked against the trusted keys, or null for an unsigned deploy where
     * none is required. Problems are noted in {@code fields} under {@code signature}.
     *
     * @param part the {@code signature} part's bytes; null when the deploy has none
     */
    AppSignature check(byte[] part, Manifest manifest, String module, JsonFields fields) {
        if (trusted.isEmpty()) {
            if (part != null) {
                fields.problem(PART, "this coordinator checks no signatures (starling.apps.signing.public-keys is"
                        + " empty), so it stores none: deploy without one, or ask the operator to set the project's key");
            }
            return null;
        }
        SignedFields signed = fields(manifest, module);
        if (part == null) {
            fields.problem(PART, "is required: this coordinator runs only apps signed with the project's key; sign"
                    + " with starling app sign --key FILE and deploy with --signature FILE");
            return null;
        }
        TrustedKeys.Signature signature = parse(part, fields);
        if (signature == null) {
            return null;
        }
        String problem = trusted.problem(signed, signature);
        if (problem != null) {
            fields.problem(PART, problem);
            return null;
        }
        AppSignature.Builder b = AppSignature.newBuilder().setSignature(ByteString.copyFrom(signature.signature()))
                .setValidationKind(signed.validationKind()).setRelTolerance(signed.relTolerance())
                .setAbsTolerance(signed.absTolerance()).setCreditPerWorkUnit(signed.creditPerWorkUnit());
        signature.chain().forEach(a -> b.addChain(KeyAnnouncement.newBuilder()
                .setPublicKey(ByteString.copyFrom(a.publicKey())).setSignature(ByteString.copyFrom(a.signature()))));
        return b.build();
    }

    /**
     * Why a stored version may take no new jobs under today's keys, or null: unsigned while keys are required, or
     * signed by a key no longer trusted.
     */
    String problem(Manifest manifest, String module, byte[] stored) {
        if (trusted.isEmpty()) {
            return null;
        }
        if (stored == null) {
            return "it was deployed unsigned, and this coordinator now runs only apps signed with the project's key;"
                    + " deploy it signed as a new version";
        }
        return trusted.problem(fields(manifest, module), signature(read(stored)));
    }

    /** A stored signature. */
    static AppSignature read(byte[] stored) {
        try {
            return AppSignature.parseFrom(stored);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored app signature does not parse", e);
        }
    }

    /** The signature and chain of a stored (or received) {@link AppSignature}. */
    static TrustedKeys.Signature signature(AppSignature s) {
        return new TrustedKeys.Signature(s.getSignature().toByteArray(), s.getChainList().stream()
                .map(a -> new TrustedKeys.Announcement(a.getPublicKey().toByteArray(), a.getSignature().toByteArray()))
                .toList());
    }

    private TrustedKeys.Signature parse(byte[] part, JsonFields fields) {
        JsonNode node;
        try {
            node = json.readTree(part);
        } catch (JacksonException e) {
            fields.problem(PART, "is not JSON (as starling app sign writes it): " + e.getOriginalMessage());
            return null;
        }
        int before = fields.problems().size();
        if (!fields.object(node, PART, List.of("format", "signature", "chain"))) {
            return null;
        }
        String format = fields.string(node, PART, "format", true, 64);
        if (format != null && !format.equals(SignedFields.FORMAT)) {
            fields.problem(PART + ".format", "must be " + SignedFields.FORMAT + ", got '" + format + "'");
        }
        byte[] signature = base64(node, PART, "signature", 64, fields);
        List<TrustedKeys.Announcement> chain = new ArrayList<>();
        JsonNode array = fields.array(node, PART, "chain", false, TrustedKeys.MAX_CHAIN);
        for (int i = 0; array != null && i < array.size(); i++) {
            String path = PART + ".chain[" + i + "]";
            JsonNode a = array.get(i);
            if (!fields.object(a, path, List.of("format", "key", "signature"))) {
                continue;
            }
            String f = fields.string(a, path, "format", false, 64);
            if (f != null && !f.equals(SigningKeys.ANNOUNCEMENT_FORMAT)) {
                fields.problem(path + ".format", "must be " + SigningKeys.ANNOUNCEMENT_FORMAT + ", got '" + f + "'");
            }
            byte[] key = base64(a, path, "key", 200, fields);
            byte[] s = base64(a, path, "signature", 64, fields);
            if (key != null) {
                try {
                    SigningKeys.publicKey(key);
                } catch (IllegalArgumentException e) {
                    fields.problem(path + ".key", "is not an Ed25519 public key (Base64 of its X.509 DER)");
                }
            }
            if (key != null && s != null) {
                chain.add(new TrustedKeys.Announcement(key, s));
            }
        }
        return fields.problems().size() > before || signature == null ? null
                : new TrustedKeys.Signature(signature, chain);
    }

    private static byte[] base64(JsonNode node, String path, String name, int maxBytes, JsonFields fields) {
        String text = fields.string(node, path, name, true, 4 * maxBytes / 3 + 4);
        if (text == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            fields.problem(JsonFields.path(path, name), "is not Base64");
            return null;
        }
    }
}
