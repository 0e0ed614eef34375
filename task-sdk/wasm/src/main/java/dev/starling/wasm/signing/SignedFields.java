package dev.starling.wasm.signing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a project's signature on a deployed app version covers, and the exact bytes signed ({@link #payload}). Every
 * field that decides what a worker runs and how the coordinator judges it is here, so a signature made for one
 * version cannot be replayed for another (name, version), another module, looser limits, another validation or more
 * credit. The description is not signed (it changes nothing).
 *
 * <p>The payload, version 1 (docs/architecture.md, "Signed apps"): each field in this order, a string as its UTF-8
 * length (4 bytes, big-endian) then its bytes, an integer as 8 bytes big-endian, a number as its IEEE 754 binary64
 * bits (8 bytes, big-endian), a boolean as one byte (1 or 0):
 * {@code "starling-app-signature-v1"}, name, version, module (its content address, {@code sha256:<hex>}), memoryMiB,
 * maxCpuSeconds, maxOutputBytes, maxScratchBytes, deterministic, validation kind ({@code bitwise} or
 * {@code numeric}), relTolerance, absTolerance (both 0 for bitwise), credit per work unit.
 *
 * @param module the module's content address, as Starling names blobs
 */
public record SignedFields(String name, String version, String module, long memoryMiB, long maxCpuSeconds,
        long maxOutputBytes, long maxScratchBytes, boolean deterministic, String validationKind, double relTolerance,
        double absTolerance, double creditPerWorkUnit) {
    /** The domain of an app signature: the first field of its payload. */
    public static final String FORMAT = "starling-app-signature-v1";

    public SignedFields {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(validationKind, "validationKind");
    }

    /** {@code name@version}, as jobs and tasks name the version. */
    public String app() {
        return name + "@" + version;
    }

    /** The bytes the project's key signs. */
    public byte[] payload() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            string(out, FORMAT);
            string(out, name);
            string(out, version);
            string(out, module);
            out.writeLong(memoryMiB);
            out.writeLong(maxCpuSeconds);
            out.writeLong(maxOutputBytes);
            out.writeLong(maxScratchBytes);
            out.writeBoolean(deterministic);
            string(out, validationKind);
            out.writeLong(Double.doubleToRawLongBits(relTolerance));
            out.writeLong(Double.doubleToRawLongBits(absTolerance));
            out.writeLong(Double.doubleToRawLongBits(creditPerWorkUnit));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A string field: its UTF-8 length, 4 bytes big-endian, then its bytes. */
    static void string(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /** The fields as a person checks them before signing, one line. */
    @Override
    public String toString() {
        return app() + ", module " + module + ", limits memoryMiB=" + memoryMiB + " maxCpuSeconds=" + maxCpuSeconds
                + " maxOutputBytes=" + maxOutputBytes + " maxScratchBytes=" + maxScratchBytes + ", deterministic="
                + deterministic + ", validation " + validationKind
                + (validationKind.equals("numeric") ? " relTolerance=" + relTolerance + " absTolerance=" + absTolerance
                        : "")
                + ", credit perWorkUnit=" + creditPerWorkUnit;
    }
}
