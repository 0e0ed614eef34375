package dev.starling.coordinator.app;

import com.google.protobuf.ByteString;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.sdk.ContentAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The outputs of deployed apps' work units as researchers get them: a canonical output is a {@link WasmOutput}
 * envelope (wasm.proto); its standard output is the work unit's output, and the files it wrote under {@code /output/}
 * are kept as blobs when the work unit is validated, so {@code GET /api/v1/blobs/{id}} serves them like any other
 * blob. Validation compares whole envelopes ({@link DeployedApp#equivalent}): standard outputs by the app's kind,
 * files byte for byte, so the canonical envelope is one the quorum agreed on, files included.
 */
@Component
public class DeployedOutputs {
    private final BlobService blobs;

    DeployedOutputs(BlobService blobs) {
        this.blobs = blobs;
    }

    /**
     * Keeps the files of a work unit's canonical output as blobs that {@code researcherId} (null: only the admin) may
     * read; an output that wrote none keeps nothing. The same bytes again keep one copy. Returns the blobs' ids.
     */
    public List<String> keepFiles(byte[] canonicalOutput, Long researcherId) {
        WasmOutput envelope = DeployedApp.decode(canonicalOutput);
        if (envelope == null) {
            return List.of(); // never canonical: a report that is no envelope is its replica's error
        }
        List<String> kept = new ArrayList<>();
        for (WasmOutputFile file : envelope.getFilesList()) {
            try {
                kept.add(blobs.keep(file.getContent().newInput(), researcherId).id());
            } catch (IOException e) {
                throw new UncheckedIOException("keeping output file " + file.getName() + " as a blob failed", e);
            }
        }
        return kept;
    }

    /** Whether a canonical output wrote files under {@code /output/} (to keep with {@link #keepFiles}). */
    public static boolean hasFiles(byte[] canonicalOutput) {
        WasmOutput envelope = DeployedApp.decode(canonicalOutput);
        return envelope != null && envelope.getFilesCount() > 0;
    }

    /** The standard output of a canonical output (empty for one that is no envelope). */
    public static ByteString stdout(byte[] canonicalOutput) {
        WasmOutput envelope = DeployedApp.decode(canonicalOutput);
        return envelope == null ? ByteString.EMPTY : envelope.getStdout();
    }

    /** Writes the standard output of a canonical output (nothing for one that is no envelope). */
    public static void writeStdout(byte[] canonicalOutput, OutputStream out) throws IOException {
        WasmOutput envelope = DeployedApp.decode(canonicalOutput);
        if (envelope != null) {
            envelope.getStdout().writeTo(out);
        }
    }

    /**
     * One work unit's line of {@code ?format=ndjson}: its {@code index}, its standard output as {@code output} when
     * it is UTF-8 text, else as {@code outputBase64}, and {@code files}: each file it wrote under {@code /output/},
     * by name, to the blob that holds it.
     */
    public static Map<String, Object> line(long index, byte[] canonicalOutput) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("index", index);
        WasmOutput envelope = DeployedApp.decode(canonicalOutput);
        if (envelope == null) {
            envelope = WasmOutput.getDefaultInstance();
        }
        String text = DeployedApp.text(envelope.getStdout());
        if (text != null) {
            line.put("output", text);
        } else {
            line.put("outputBase64", Base64.getEncoder().encodeToString(envelope.getStdout().toByteArray()));
        }
        Map<String, String> files = new LinkedHashMap<>();
        envelope.getFilesList().forEach(f -> files.put(f.getName(), ContentAddress.of(f.getContent().toByteArray())));
        line.put("files", files);
        return line;
    }
}
