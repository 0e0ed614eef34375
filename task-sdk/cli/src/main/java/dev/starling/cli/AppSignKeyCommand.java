package dev.starling.cli;

import dev.starling.wasm.signing.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code starling app sign-key}: a key announcement, the current key vouching for the next one. */
@Command(name = "sign-key", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Announces a new signing key, signed with the current one, to rotate the project's key: apps"
                + " signed with the new key (app sign --key NEW --chain ANNOUNCEMENT) are accepted wherever the current"
                + " key is trusted, without reconfiguring coordinators or workers. Writes the announcement (JSON).",
        footer = {
            "",
            "Example:",
            "  starling app keygen project-2026.key",
            "  starling app sign-key project-2026.key.pub --key project.key -o project-2026.announcement",
            "",
            ExitCodes.HELP,
        })
final class AppSignKeyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NEW_PUBLIC_KEY", description = "The new public key (PEM, or one line of"
            + " Base64).")
    private Path newKey;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "The current private key (PEM).")
    private Path key;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the"
            + " announcement.")
    private Path output;

    @Override
    public Integer call() {
        byte[] announced;
        try {
            announced = SigningKeys.parsePublicKey(new String(LocalFiles.read(newKey, "new public key"),
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw CliException.invalid("the new public key " + newKey + " is " + e.getMessage());
        }
        var privateKey = AppSignCommand.privateKey(key);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", SigningKeys.ANNOUNCEMENT_FORMAT);
        json.put("key", SigningKeys.publicKeyText(announced));
        json.put("signature", Base64.getEncoder().encodeToString(SigningKeys.sign(privateKey,
                SigningKeys.announcementPayload(announced))));
        byte[] text = (LocalFiles.JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
        LocalFiles.writeWhole(output, out -> {
            out.write(text);
            return text.length;
        });
        spec.commandLine().getErr().println("wrote " + output + ": " + SigningKeys.keyId(announced)
                + " announced by the key in " + key);
        return ExitCodes.OK;
    }
}
