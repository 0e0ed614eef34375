package dev.starling.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The researcher's files: read with messages that name the file and say what is wrong, written whole or not at all. */
final class LocalFiles {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private LocalFiles() {}

    /** A regular file that exists, or an {@link ExitCodes#INVALID_INPUT} error naming {@code what} it was to be. */
    static Path existing(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw CliException.invalid("cannot read the " + what + " " + file + ": "
                    + (Files.isDirectory(file) ? "it is a directory" : "no such file"));
        }
        return file;
    }

    static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(existing(file, what));
        } catch (IOException e) {
            throw CliException.invalid("cannot read the " + what + " " + file + ": " + describe(e));
        }
    }

    /** Bytes from a file, or standard input for {@code -}. */
    static byte[] read(String fileOrDash, InputStream stdin, String what) {
        if (!"-".equals(fileOrDash)) {
            return read(Path.of(fileOrDash), what);
        }
        try {
            return stdin.readAllBytes();
        } catch (IOException e) {
            throw CliException.invalid("cannot read the " + what + " from standard input: " + describe(e));
        }
    }

    /** A JSON object, or an {@link ExitCodes#INVALID_INPUT} error saying where the text goes wrong. */
    static ObjectNode jsonObject(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw CliException.invalid("the " + what + " is not valid JSON"
                    + (at != null && at.getLineNr() > 0 ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"
                            : "") + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw CliException.invalid("the " + what + " must be a JSON object ({...}), not "
                    + (node == null || node.isMissingNode() ? "empty" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /**
     * Writes {@code file} from what {@code writer} puts in a temporary file beside it, moved in place only when the
     * writer finished: an interrupted download never leaves a file that looks complete.
     */
    static long writeWhole(Path file, IoWriter writer) {
        Path target = file.toAbsolutePath();
        Path temporary;
        try {
            temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write " + file + ": " + describe(e));
        }
        boolean moved = false;
        try {
            long bytes;
            try (OutputStream out = Files.newOutputStream(temporary)) {
                bytes = writer.write(out);
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return bytes;
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write " + file + ": " + describe(e));
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // the temporary file stays; its name says what it is
                }
            }
        }
    }

    /** Writes to a stream and answers how many bytes it wrote. */
    interface IoWriter {
        long write(OutputStream out) throws IOException;
    }

    /** Why {@code e} happened, in a few words: the file system's exceptions say only the path. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
