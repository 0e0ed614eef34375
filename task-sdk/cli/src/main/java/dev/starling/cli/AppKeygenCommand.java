package dev.starling.cli;

import dev.starling.wasm.signing.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code starling app keygen}: a project's Ed25519 signing key pair. */
@Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Makes a project's Ed25519 signing key: the private key in KEY_FILE (PKCS#8 PEM, readable by"
                + " its owner only; keep it offline) and the public key in KEY_FILE.pub. Prints the public key as one"
                + " line of Base64: the coordinator's starling.apps.signing.public-keys and the workers' --app-key.",
        footer = {
            "",
            "Example:",
            "  starling app keygen project.key",
            "",
            ExitCodes.HELP,
        })
final class AppKeygenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY_FILE", description = "Where to write the private key (never replaced).")
    private Path keyFile;

    @Override
    public Integer call() {
        Path publicFile = Path.of(keyFile + ".pub");
        for (Path file : new Path[] {keyFile, publicFile}) {
            if (Files.exists(file)) {
                throw CliException.invalid(file + " exists already; a key is never replaced: choose another name");
            }
        }
        KeyPair pair = SigningKeys.generate();
        byte[] publicKey = pair.getPublic().getEncoded();
        try {
            writeOwnerOnly(keyFile, SigningKeys.privateKeyPem(pair.getPrivate()));
            Files.writeString(publicFile, SigningKeys.publicKeyPem(publicKey), StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw CliException.invalid(e.getFile() + " exists already; a key is never replaced");
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write the key: " + LocalFiles.describe(e));
        }
        spec.commandLine().getOut().println(SigningKeys.publicKeyText(publicKey));
        spec.commandLine().getErr().println("wrote the private key " + keyFile + " (owner only; keep it offline) and"
                + " the public key " + publicFile + ", " + SigningKeys.keyId(publicKey));
        return ExitCodes.OK;
    }

    /** Creates the file readable and writable by its owner only, from the start (never briefly open to others). */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path created;
        try {
            created = Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rw-------")));
        } catch (UnsupportedOperationException e) {
            created = Files.createFile(file); // not a POSIX file system: its folder's access rules apply
        }
        Files.writeString(created, text, StandardCharsets.US_ASCII);
    }
}
