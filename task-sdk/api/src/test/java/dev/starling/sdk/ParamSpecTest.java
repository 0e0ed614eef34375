package dev.starling.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamSpecTest {
    private static final List<ParamSpec> SPECS = List.of(
            ParamSpec.integer("from", "first number").withRange(0.0, null),
            ParamSpec.integer("chunk", "numbers per work unit").withDefault(1000).withRange(10.0, 1e6),
            ParamSpec.number("x", "a point").withRange(-1.0, 1.0).withDefault(0.5),
            ParamSpec.string("name", "a name").withDefault("sin"),
            ParamSpec.bool("fast", "go fast").withDefault(false));

    @Test
    void bindsTypedValuesAndFillsInDefaults() {
        JobParams params = ParamSpec.bind(SPECS, Map.of("from", 7));

        assertThat(params.asMap()).containsExactly(
                Map.entry("from", 7L), Map.entry("chunk", 1000L), Map.entry("x", 0.5),
                Map.entry("name", "sin"), Map.entry("fast", false));
        assertThat(params.getLong("from")).isEqualTo(7);
        assertThat(params.getDouble("x")).isEqualTo(0.5);
    }

    @Test
    void givenValuesReplaceDefaultsAndAreNormalized() {
        JobParams params = ParamSpec.bind(SPECS, Map.of("from", 3.0, "chunk", BigInteger.valueOf(20), "x", 1,
                "name", "runge", "fast", true));

        assertThat(params.asMap()).containsEntry("from", 3L).containsEntry("chunk", 20L).containsEntry("x", 1.0)
                .containsEntry("name", "runge").containsEntry("fast", true);
    }

    @Test
    void reportsUnknownParameterWithTheKnownOnes() {
        assertThat(errors(Map.of("from", 1, "form", 2)))
                .containsExactly(new ParamError("form", "unknown parameter; known: [from, chunk, x, name, fast]"));
    }

    @Test
    void reportsMissingRequiredParameter() {
        assertThat(errors(Map.of())).containsExactly(new ParamError("from", "is required (first number)"));
        Map<String, Object> explicitNull = new HashMap<>();
        explicitNull.put("from", null);
        assertThat(errors(explicitNull)).extracting(ParamError::param).containsExactly("from");
    }

    @Test
    void reportsWrongTypes() {
        assertThat(errors(Map.of("from", "7", "x", "half", "name", 3, "fast", "yes"))).containsExactlyInAnyOrder(
                new ParamError("from", "must be a whole number"),
                new ParamError("x", "must be a finite number"),
                new ParamError("name", "must be a string"),
                new ParamError("fast", "must be true or false"));
    }

    @Test
    void integersMustBeWholeNumbers() {
        assertThat(errors(Map.of("from", 1.5))).containsExactly(new ParamError("from", "must be a whole number"));
        assertThat(errors(Map.of("from", new BigDecimal("2.25")))).hasSize(1);
        assertThat(errors(Map.of("from", BigInteger.ONE.shiftLeft(64)))).hasSize(1);
        assertThat(errors(Map.of("from", Double.POSITIVE_INFINITY))).hasSize(1);
        assertThat(errors(Map.of("from", 1e20))).hasSize(1);
        assertThat(ParamSpec.bind(SPECS, Map.of("from", new BigDecimal("12.000"))).getLong("from")).isEqualTo(12);
    }

    @Test
    void wholeNumbersBeyondALongAreOutOfRangeNotFractions() {
        assertThat(errors(Map.of("from", 0, "chunk", new BigInteger("100000000000000000000000000"))))
                .containsExactly(new ParamError("chunk", "must be <= 1000000"));
        assertThat(errors(Map.of("from", 0, "chunk", 1e30))).containsExactly(new ParamError("chunk", "must be <= 1000000"));
        assertThat(errors(Map.of("from", 0, "chunk", Double.POSITIVE_INFINITY)))
                .containsExactly(new ParamError("chunk", "must be <= 1000000"));
        assertThat(errors(Map.of("from", new BigDecimal("-1E+30")))).containsExactly(new ParamError("from", "must be >= 0"));
        assertThat(errors(Map.of("from", BigInteger.ONE.shiftLeft(64)))).containsExactly(new ParamError("from",
                "is too large: a whole number must be from -9223372036854775808 to 9223372036854775807"));
    }

    @Test
    void numbersMustBeFinite() {
        assertThat(errors(Map.of("from", 0, "x", Double.NaN))).containsExactly(new ParamError("x", "must be a finite number"));
    }

    @Test
    void reportsValuesOutOfRangeInclusively() {
        assertThat(errors(Map.of("from", -1))).containsExactly(new ParamError("from", "must be >= 0"));
        assertThat(errors(Map.of("from", 0, "chunk", 1_000_001))).containsExactly(new ParamError("chunk", "must be <= 1000000"));
        assertThat(errors(Map.of("from", 0, "x", -1.5))).containsExactly(new ParamError("x", "must be >= -1"));
        assertThat(ParamSpec.bind(SPECS, Map.of("from", 0, "chunk", 10, "x", 1.0)).getLong("chunk")).isEqualTo(10);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        InvalidParamsException e = catchThrowableOfType(InvalidParamsException.class,
                () -> ParamSpec.bind(SPECS, Map.of("chunk", 1, "extra", true)));

        assertThat(e.errors()).extracting(ParamError::param).containsExactlyInAnyOrder("extra", "from", "chunk");
        assertThat(e).hasMessageContaining("from is required");
    }

    @Test
    void nullRawParamsAreNoParams() {
        assertThat(ParamSpec.bind(List.of(ParamSpec.integer("n", "n").withDefault(1)), null).getLong("n")).isEqualTo(1);
    }

    @Test
    void rejectsBadSpecs() {
        assertThatThrownBy(() -> ParamSpec.integer("n", "n").withRange(10.0, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParamSpec.string("s", "s").withRange(0.0, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParamSpec.integer("n", "n").withRange(10.0, null).withDefault(5))
                .hasMessageContaining("default value 5 must be >= 10");
        assertThatThrownBy(() -> ParamSpec.integer("n", "n").withDefault(5).withRange(10.0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParamSpec.integer("n", "n").withDefault(0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AppInfo("twice", "1", "d", List.of(ParamSpec.integer("n", "a"), ParamSpec.number("n", "b"))))
                .hasMessageContaining("share a name");
    }

    private static List<ParamError> errors(Map<String, ?> raw) {
        return catchThrowableOfType(InvalidParamsException.class, () -> ParamSpec.bind(SPECS, raw)).errors();
    }
}
