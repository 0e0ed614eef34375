package dev.starling.samples.integrate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.LocalRunner;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.WorkUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IntegrateAppTest {
    private final IntegrateApp app = new IntegrateApp();
    private final LocalRunner runner = LocalRunner.forApp(app).replicas(2).build();
    private final WorkUnit anyWorkUnit = new WorkUnit(0, 0, new byte[0]);

    @Test
    void integratesSineOverZeroToPi() {
        Map<String, Object> result = runner.run(Map.of("function", "sin", "a", 0, "b", Math.PI));

        assertThat((Double) result.get("integral")).isCloseTo(2.0, within(1e-9));
        assertThat(result).containsEntry("function", "sin").containsEntry("a", 0.0).containsEntry("b", Math.PI);
    }

    @Test
    void integratesTheGaussianOverItsBulk() {
        Map<String, Object> result = runner.run(Map.of("function", "gaussian", "a", -10, "b", 10));

        assertThat((Double) result.get("integral")).isCloseTo(Math.sqrt(Math.PI), within(1e-9));
    }

    @Test
    void integratesRungesFunction() {
        Map<String, Object> result = runner.run(Map.of("function", "runge", "a", -1, "b", 1, "intervals", 1_000_000,
                "workUnits", 7));

        assertThat((Double) result.get("integral")).isCloseTo(0.4 * Math.atan(5), within(1e-9));
    }

    @Test
    void thePiecesAddUpToTheWholeRule() {
        Map<String, Object> whole = Map.of("function", "sin", "a", 0, "b", 1, "intervals", 200_000, "workUnits", 1);
        Map<String, Object> inPieces = Map.of("function", "sin", "a", 0, "b", 1, "intervals", 200_000, "workUnits", 99);

        assertThat((Double) runner.run(inPieces).get("integral"))
                .isCloseTo((Double) runner.run(whole).get("integral"), within(1e-14));
    }

    @Test
    void splitsIntoEvenPiecesThatCoverEveryInterval() {
        StagePlan plan = app.split(
                runner.bind(Map.of("function", "sin", "a", 0, "b", 1, "intervals", 22, "workUnits", 4)));

        assertThat(plan.size()).isEqualTo(4);
        long expectedFrom = 0;
        for (long i = 0; i < plan.size(); i++) {
            Piece piece = Piece.decode(plan.workUnit(i).input());
            assertThat(piece.from()).isEqualTo(expectedFrom);
            assertThat((piece.to() - piece.from()) % 2).isZero();
            expectedFrom = piece.to();
        }
        assertThat(expectedFrom).isEqualTo(22);
        assertThat(new String(plan.workUnit(0).input(), UTF_8)).isEqualTo("sin 0.0 1.0 22 0 4");
    }

    @Test
    void acceptsOutputsWithinTheTolerance() {
        assertThat(equivalent("1.0", "1.0000000005")).isTrue();
        assertThat(equivalent("1.0", "1.000000002")).isFalse();
        // relative for large values
        assertThat(equivalent("1000000.0", "1000000.0001")).isTrue();
        assertThat(equivalent("1000000.0", "1000000.01")).isFalse();
        assertThat(equivalent("-1000000.0", "-1000000.0001")).isTrue();
        // absolute near zero
        assertThat(equivalent("1.0E-12", "5.0E-10")).isTrue();
        assertThat(equivalent("0.0", "-2.0E-9")).isFalse();
        // symmetric and reflexive
        assertThat(equivalent("1.000000002", "1.0")).isFalse();
        assertThat(equivalent("0.123", "0.123")).isTrue();
    }

    @Test
    void malformedOutputsAreEquivalentToNoOtherOutput() {
        for (String bad : List.of("", "abc", "NaN", "Infinity", "-Infinity", "1.0;", "9".repeat(40))) {
            assertThat(equivalent(bad, bad)).as("reflexive, as App.equivalent requires").isTrue();
            assertThat(equivalent(bad, bad + " ")).as(bad).isFalse();
            assertThat(equivalent(bad, "1.0")).as(bad).isFalse();
            assertThat(equivalent("1.0", bad)).as(bad).isFalse();
        }
        assertThat(app.equivalent(anyWorkUnit, new byte[] {(byte) 0xff, (byte) 0xfe}, "1.0".getBytes(UTF_8))).isFalse();
    }

    @Test
    void rejectsBadParams() {
        assertThat(errors(Map.of("function", "cos", "a", 0, "b", 1)))
                .containsExactly(new ParamError("function", "must be one of: " + Integrand.menu()));
        assertThat(errors(Map.of("function", "sin", "a", 1, "b", 1)))
                .containsExactly(new ParamError("b", "must be greater than a (1.0)"));
        assertThat(errors(Map.of("function", "sin", "a", -1e308, "b", 1e308)))
                .containsExactly(new ParamError("b", "b - a is too large for a double"));
        assertThat(errors(Map.of("function", "sin", "a", 0, "b", 1, "intervals", 1001)))
                .containsExactly(new ParamError("intervals", "must be even"));
        assertThat(errors(Map.of("function", "sin", "a", 0, "b", 1, "intervals", 10, "workUnits", 6)))
                .containsExactly(new ParamError("workUnits", "must be at most intervals / 2 (5)"));
        assertThat(errors(Map.of("function", "sin", "a", 0)))
                .containsExactly(new ParamError("b", "is required (upper limit of integration, greater than a)"));
    }

    @Test
    void describesItsTolerance() {
        assertThat(app.info().description()).contains("1e-9").contains("sin", "gaussian", "runge");
    }

    private boolean equivalent(String a, String b) {
        return app.equivalent(anyWorkUnit, a.getBytes(UTF_8), b.getBytes(UTF_8));
    }

    private List<ParamError> errors(Map<String, ?> raw) {
        try {
            runner.bind(raw);
            throw new AssertionError("accepted " + raw);
        } catch (InvalidParamsException e) {
            return e.errors();
        }
    }
}
