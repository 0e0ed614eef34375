package dev.starling.worker.wasm;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A module's checkpoint (the files it wrote under {@code /checkpoint/}) as one state the worker's journal keeps, the
 * same way it keeps a built-in app's: encoded as a {@link WasmOutput} envelope whose files are the checkpoint's.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {}

    public static byte[] encode(Map<String, byte[]> files) {
        WasmOutput.Builder envelope = WasmOutput.newBuilder();
        new TreeMap<>(files).forEach((name, content) -> envelope.addFiles(
                WasmOutputFile.newBuilder().setName(name).setContent(ByteString.copyFrom(content))));
        return envelope.build().toByteArray();
    }

    /** The files of a state {@link #encode} wrote; empty when it is not one (the task then starts over). */
    public static Optional<Map<String, byte[]>> decode(byte[] state) {
        try {
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (WasmOutputFile file : WasmOutput.parseFrom(state).getFilesList()) {
                files.put(file.getName(), file.getContent().toByteArray());
            }
            return Optional.of(files);
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }
}
