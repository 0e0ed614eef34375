package dev.starling.swarm.internal;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.WasmOutput;

/**
 * The deployed (WebAssembly) app of a swarm run with {@code deployed}: a module that exports its memory and a
 * {@code _start} that returns at once, so that what is measured is the coordinator's cost of a deployed app (its
 * module as every task's input blob, a {@code WasmWorkUnit} per task, envelopes checked at report) and not the
 * module. The hosts answer as the module would: an empty envelope (no output, no files).
 */
final class TrivialApp {
    static final String NAME = "swarm-trivial";
    static final String VERSION = "1.0.0";
    static final String ID = NAME + "@" + VERSION;
    /** the memory the app declares, and every simulated host gives WebAssembly */
    static final int MEMORY_MIB = 16;

    /** {@code (module (memory (export "memory") 1) (func (export "_start")))}, as wat2wasm writes it */
    static final byte[] MODULE = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
        0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07,
        0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
        0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02,
        0x00, 0x0b
    };

    /** Credit 1 per work unit, as the checksum app's at {@code rounds} 1, so that the credit check holds for both. */
    static final String MANIFEST = "{\"name\":\"" + NAME + "\",\"version\":\"" + VERSION + "\","
            + "\"description\":\"does nothing: the swarm's deployed app\",\"limits\":{\"memoryMiB\":" + MEMORY_MIB
            + ",\"maxCpuSeconds\":60,\"maxOutputBytes\":1024},\"validation\":{\"kind\":\"bitwise\"},"
            + "\"credit\":{\"perWorkUnit\":1.0}}";

    /** The colluders' agreed standard output: a canonical output with it is a collusion that won. */
    static final String COLLUDING_STDOUT = "colluded";

    private TrivialApp() {}

    static boolean isDeployed(String app) {
        return app.indexOf('@') >= 0;
    }

    static byte[] honestOutput() {
        return WasmOutput.getDefaultInstance().toByteArray();
    }

    /** What every colluder returns where the colluders hold a quorum: one wrong output, the same for all of them. */
    static final byte[] COLLUDING_OUTPUT = WasmOutput.newBuilder().setStdout(ByteString.copyFromUtf8(COLLUDING_STDOUT))
            .build().toByteArray();

    static byte[] wrongOutput(int hostIndex) {
        return WasmOutput.newBuilder().setStdout(ByteString.copyFromUtf8("wrong " + hostIndex)).build().toByteArray();
    }
}
