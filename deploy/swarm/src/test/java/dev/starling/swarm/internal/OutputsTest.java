package dev.starling.swarm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.samples.checksum.ChecksumApp;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutputsTest {

    @Test
    void honestHostsOutputWhatTheAppComputes() {
        for (long index = 0; index < 50; index++) {
            assertThat(Outputs.honest(index, 3)).isEqualTo(ChecksumApp.output(index, 3));
        }
    }

    @Test
    void wrongOutputsDifferFromTheHonestOneAndFromEachOther() {
        for (long index = 0; index < 200; index++) {
            Set<String> outputs = new HashSet<>();
            outputs.add(new String(ChecksumApp.output(index, 1), StandardCharsets.US_ASCII));
            for (int host = 0; host < 120; host++) {
                String wrong = new String(Outputs.wrong(host, index), StandardCharsets.US_ASCII);
                assertThat(outputs.add(wrong)).as("host %d, work unit %d: %s", host, index, wrong).isTrue();
            }
        }
    }

    @Test
    void aWrongHostIsWrongForEveryWorkUnit() {
        assertThat(Outputs.wrong(3, 10)).isNotEqualTo(Outputs.wrong(3, 11));
        assertThat(new String(Outputs.wrong(12, 5), StandardCharsets.US_ASCII)).startsWith("wrong-12-");
    }

    @Test
    void turncoatsAgreeWithEachOtherAndWithNobodyElse() {
        for (long index = 0; index < 200; index++) {
            String turncoat = new String(Outputs.turncoat(index), StandardCharsets.US_ASCII);
            assertThat(turncoat).startsWith("turncoat-")
                    .isNotEqualTo(new String(ChecksumApp.output(index, 1), StandardCharsets.US_ASCII))
                    .isNotEqualTo(new String(Outputs.wrong(0, index), StandardCharsets.US_ASCII));
        }
        assertThat(Outputs.turncoat(7)).isEqualTo(Outputs.turncoat(7)).isNotEqualTo(Outputs.turncoat(8));
    }

    @Test
    void inputsAreDecodedAsTheAppEncodesThem() {
        assertThat(Outputs.decode(ChecksumApp.encode(123_456_789_012L, 7))).containsExactly(123_456_789_012L, 7);
        assertThat(Outputs.decode(new byte[15])).isNull();
        assertThat(Outputs.decode(new byte[17])).isNull();
    }
}
