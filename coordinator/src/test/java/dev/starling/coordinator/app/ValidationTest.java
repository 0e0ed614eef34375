package dev.starling.coordinator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.sdk.WorkUnit;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The validation kinds of deployed apps, table by table: no Spring, no database. */
class ValidationTest {

    /** Numeric tolerance: rel 1e-6, abs 1e-9. Outputs are written with \n for a newline. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                      | a                  | b                   | agree
            the same bytes                              | 1 2 3              | 1 2 3               | true
            within the relative tolerance               | 1000000            | 1000000.5           | true
            outside the relative tolerance              | 1000000            | 1000002             | false
            within the absolute tolerance near zero     | 0                  | 1e-10               | true
            outside the absolute tolerance near zero    | 0                  | 1e-8                | false
            other whitespace, the same tokens           | 1 2\\n3\\n         | 1\\t2 3             | true
            leading and trailing whitespace             | \\n 1.5            | 1.5\\n\\n           | true
            one token more                              | 1 2                | 1 2 3               | false
            one token fewer, even an empty one          | 1 2                | 1                   | false
            nan agrees with nan                         | nan                | NaN                 | true
            nan agrees with -nan                        | -nan               | nan                 | true
            nan with a payload is a nan too             | nan(0x7)           | nan                 | true
            nan never with a number                     | nan                | 0                   | false
            an infinity with the same one               | inf                | Infinity            | true
            an infinity never with the other           | inf                | -inf                | false
            an infinity never with a finite number      | inf                | 1e308               | false
            a finite token too large is an infinity     | 1e400              | inf                 | true
            exponents and points as printf writes them  | 1.500000e+00       | 1.5                 | true
            words only by their bytes                   | done: 3            | done: 3.0000001     | true
            words that differ                           | done: 3            | Done: 3             | false
            a number beside a word never agrees         | 3                  | three               | false
            hexadecimal floats only by their bytes      | 0x1p3              | 8                   | false
            signs                                       | +1.0               | 1                   | true
            empty outputs                               |                    |                     | true
            """)
    void numericTolerance(String name, String a, String b, boolean agree) {
        Validation numeric = new Validation.Numeric(1e-6, 1e-9);
        assertThat(numeric.agree(bytes(a), bytes(b))).isEqualTo(agree);
        assertThat(numeric.agree(bytes(b), bytes(a))).as("symmetric").isEqualTo(agree);
        assertThat(numeric.transitive()).isFalse();
    }

    @Test
    void bitwiseIsTheSameBytes() {
        Validation bitwise = new Validation.Bitwise();
        assertThat(bitwise.agree(bytes("1.0"), bytes("1.0"))).isTrue();
        assertThat(bitwise.agree(bytes("1.0"), bytes("1.00"))).isFalse();
        assertThat(bitwise.transitive()).isTrue();
    }

    @Test
    void outputsAgreeByTheirStdoutsKindAndTheirFilesBitwise() {
        DeployedApp app = new DeployedApp("n", "1.0.0", "sha256:" + "0".repeat(64), new Manifest("n", "1.0.0", "",
                new Manifest.Limits(16, 60, 4096, 1 << 20), new Validation.Numeric(0.01, 0), 1.0, true), null, null);
        WorkUnit unit = new WorkUnit(0, 0, new byte[0]);

        assertThat(app.equivalent(unit, envelope("1.00", "a", "x"), envelope("1.001", "a", "x"))).isTrue();
        assertThat(app.equivalent(unit, envelope("1.00", "a", "x"), envelope("1.00", "a", "y"))).isFalse();
        assertThat(app.equivalent(unit, envelope("1.00", "a", "x"), envelope("1.00", "b", "x"))).isFalse();
        assertThat(app.equivalent(unit, envelope("1.00", "a", "0.5"), envelope("1.00", "a", "0.50"))).as(
                "files are compared byte for byte, whatever the kind").isFalse();
        assertThat(app.equivalent(unit, new byte[] {1, 2, 3}, new byte[] {1, 2, 3})).as("not envelopes").isFalse();
    }

    private static byte[] envelope(String stdout, String file, String content) {
        return WasmOutput.newBuilder().setStdout(ByteString.copyFromUtf8(stdout)).addFiles(WasmOutputFile.newBuilder()
                .setName(file).setContent(ByteString.copyFromUtf8(content))).build().toByteArray();
    }

    private static byte[] bytes(String text) {
        return (text == null ? "" : text).replace("\\n", "\n").replace("\\t", "\t").getBytes(StandardCharsets.UTF_8);
    }
}
