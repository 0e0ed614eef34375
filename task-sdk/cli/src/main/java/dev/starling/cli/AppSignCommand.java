package dev.starling.cli;

import dev.starling.sdk.ContentAddress;
import dev.starling.wasm.signing.SignedFields;
import dev.starling.wasm.signing.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code starling app sign}: the project's signature of an app version, over the manifest's signed fields and the
 * module's content address ({@link SignedFields}), for {@code app deploy --signature}.
 */
@Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Signs an app version with the project's private key: its name, version, module (by its"
                + " content address), limits, determinism, validation and credit, so that no other version, module or"
                + " looser limits can pass under this signature. Writes the signature (JSON) for app deploy"
                + " --signature; prints the signed fields on stderr for you to check.",
        footer = {
            "",
            "Examples:",
            "  starling app sign collatz.wasm --manifest collatz.json --key project.key",
            "  starling app deploy collatz.wasm --manifest collatz.json --signature collatz.json.sig",
            "  starling app sign collatz.wasm --manifest collatz.json --key new.key \\",
            "      --chain new.announcement",
            "",
            ExitCodes.HELP,
        })
final class AppSignCommand implements Callable<Integer> {
    /** The scratch space a manifest that does not say gets (the coordinator's default, unless its maximum is less). */
    static final long DEFAULT_SCRATCH_BYTES = 64L << 20;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The module (.wasm).")
    private Path module;

    @Option(names = "--manifest", paramLabel = "FILE", required = true, description = "The app's manifest (JSON).")
    private Path manifest;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "The private key (PEM), as app"
            + " keygen wrote it.")
    private Path key;

    @Option(names = "--chain", paramLabel = "FILE", description = "A key announcement (app sign-key) leading from a"
            + " trusted key to this one; repeat in order, from the trusted key on.")
    private List<Path> chain = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the signature (default:"
            + " the manifest's name with .sig added).")
    private Path output;

    @Override
    public Integer call() {
        ObjectNode json = LocalFiles.jsonObject(LocalFiles.read(manifest, "manifest"), "manifest " + manifest);
        SignedFields fields = fields(json, ContentAddress.of(LocalFiles.read(module, "module")));
        PrivateKey privateKey = privateKey(key);
        List<Object> announcements = new ArrayList<>();
        for (Path file : chain) {
            ObjectNode a = LocalFiles.jsonObject(LocalFiles.read(file, "key announcement"), "key announcement " + file);
            if (!SigningKeys.ANNOUNCEMENT_FORMAT.equals(a.path("format").asString(""))) {
                throw CliException.invalid(file + " is not a key announcement (made by app sign-key)");
            }
            announcements.add(a);
        }
        Map<String, Object> signature = new LinkedHashMap<>();
        signature.put("format", SignedFields.FORMAT);
        signature.put("signature", Base64.getEncoder().encodeToString(SigningKeys.sign(privateKey, fields.payload())));
        signature.put("chain", announcements);
        byte[] text = (LocalFiles.JSON.writeValueAsString(signature) + "\n").getBytes(StandardCharsets.UTF_8);
        Path target = output != null ? output : Path.of(manifest + ".sig");
        LocalFiles.writeWhole(target, out -> {
            out.write(text);
            return text.length;
        });
        spec.commandLine().getOut().println(target);
        spec.commandLine().getErr().println("signed " + fields);
        return ExitCodes.OK;
    }

    /** A private key file, or an invalid-input error saying what is wrong with it. */
    static PrivateKey privateKey(Path file) {
        try {
            return SigningKeys.parsePrivateKey(new String(LocalFiles.read(file, "private key"),
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw CliException.invalid("the key " + file + " is " + e.getMessage());
        }
    }

    /**
     * The signed fields of a manifest, with the coordinator's defaults filled in (64 MiB of scratch, deterministic,
     * tolerances 0). It checks only what signing needs; the coordinator checks the rest at deploy.
     */
    static SignedFields fields(JsonNode manifest, String module) {
        JsonNode limits = manifest.path("limits");
        JsonNode validation = manifest.path("validation");
        String kind = text(validation, "validation.kind");
        if (!kind.equals("bitwise") && !kind.equals("numeric")) {
            throw CliException.invalid("the manifest's validation.kind must be bitwise or numeric, got '" + kind + "'");
        }
        JsonNode deterministic = manifest.path("deterministic");
        if (!deterministic.isMissingNode() && !deterministic.isBoolean()) {
            throw CliException.invalid("the manifest's deterministic must be true or false");
        }
        return new SignedFields(text(manifest, "name"), text(manifest, "version"), module,
                integer(limits, "limits.memoryMiB", null), integer(limits, "limits.maxCpuSeconds", null),
                integer(limits, "limits.maxOutputBytes", null),
                integer(limits, "limits.maxScratchBytes", DEFAULT_SCRATCH_BYTES),
                deterministic.isMissingNode() || deterministic.asBoolean(), kind,
                number(validation, "validation.relTolerance", 0.0), number(validation, "validation.absTolerance", 0.0),
                number(manifest.path("credit"), "credit.perWorkUnit", null));
    }

    private static String text(JsonNode parent, String path) {
        JsonNode value = parent.path(path.substring(path.lastIndexOf('.') + 1));
        if (!value.isString()) {
            throw CliException.invalid("the manifest has no " + path + " (a string), which the signature covers");
        }
        return value.asString();
    }

    private static long integer(JsonNode parent, String path, Long absent) {
        JsonNode value = parent.path(path.substring(path.lastIndexOf('.') + 1));
        if (value.isMissingNode() && absent != null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw CliException.invalid("the manifest's " + path + " must be a whole number, which the signature"
                    + " covers");
        }
        return value.asLong();
    }

    private static double number(JsonNode parent, String path, Double absent) {
        JsonNode value = parent.path(path.substring(path.lastIndexOf('.') + 1));
        if (value.isMissingNode() && absent != null) {
            return absent;
        }
        if (!value.isNumber()) {
            throw CliException.invalid("the manifest's " + path + " must be a number, which the signature covers");
        }
        return value.asDouble();
    }
}
