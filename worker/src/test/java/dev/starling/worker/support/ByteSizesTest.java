package dev.starling.worker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizesTest {
    @ParameterizedTest
    @CsvSource({
        "1048576, 1048576",
        "512K, 524288",
        "512M, 536870912",
        "4G, 4294967296",
        "4g, 4294967296",
        "4GiB, 4294967296",
        "4 GB, 4294967296",
        "1T, 1099511627776",
        "10m, 10485760",
    })
    void readsSizesInBinaryUnits(String text, long bytes) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"lots", "4X", "-1M", "1.5G", "''"})
    void refusesWhatIsNoSize(String text) {
        assertThatThrownBy(() -> ByteSizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a size; write for example 512M, 4G or 1048576");
    }

    @ParameterizedTest
    @CsvSource({"900, 900 bytes", "1024, 1 KiB", "1536, 1.5 KiB", "3145728, 3 MiB", "4294967296, 4 GiB"})
    void writesSizesForPeople(long bytes, String text) {
        assertThat(ByteSizes.format(bytes)).isEqualTo(text);
    }
}
