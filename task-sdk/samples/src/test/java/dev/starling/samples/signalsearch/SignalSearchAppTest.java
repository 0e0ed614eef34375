package dev.starling.samples.signalsearch;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.starling.samples.signalsearch.Recordings.Tone;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.LocalRunner;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.WorkUnit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class SignalSearchAppTest {
    private static final double SAMPLE_RATE = 8192;
    private static final double SECONDS = 64;
    /** fftLength 1024: 8 Hz bins, 512 spectra in 256 rows of 0.25 s whose centres span 63.75 s */
    private static final double BIN_HZ = 8;
    private static final double DRIFT_STEP = BIN_HZ / 63.75;
    private static final Tone STEADY = new Tone(1234.5, 0, 0.1);
    private static final Tone DRIFTING = new Tone(2500, -2.5, 0.1);

    private final SignalSearchApp app = new SignalSearchApp();

    @Test
    void findsASteadyAndADriftingToneInNoise() {
        byte[] recording = Recordings.synthesize(1, SAMPLE_RATE, SECONDS, 1.0, STEADY, DRIFTING);

        List<Map<String, Object>> candidates = search(recording, Map.of("workUnits", 5));

        // amplitude 0.1 in noise of sigma 1 is 23 dB below the noise, about snr 30 after 64 s
        assertThat(candidates).hasSize(2);
        assertThat(candidates).anySatisfy(c -> assertFound(c, STEADY)).anySatisfy(c -> assertFound(c, DRIFTING));
        assertThat((Double) candidates.get(0).get("snr")).isGreaterThanOrEqualTo((Double) candidates.get(1).get("snr"));
    }

    @Test
    void strongTonesGiveOneCandidateEachWithoutSidelobes() {
        byte[] recording = Recordings.synthesize(5, SAMPLE_RATE, SECONDS, 1.0,
                new Tone(STEADY.frequencyHz(), 0, 3.0), new Tone(DRIFTING.frequencyHz(), DRIFTING.driftHzPerSecond(), 1.0));

        List<Map<String, Object>> candidates = search(recording, Map.of("workUnits", 3));

        assertThat(candidates).hasSize(2);
        assertFound(candidates.get(0), STEADY);
        assertFound(candidates.get(1), DRIFTING);
        assertThat((Double) candidates.get(1).get("snr")).isGreaterThan(1000);
    }

    @Test
    void theResultDoesNotDependOnHowTheDriftRatesAreSplit() {
        byte[] recording = Recordings.synthesize(2, SAMPLE_RATE, SECONDS, 1.0, STEADY, DRIFTING);
        List<Map<String, Object>> whole = search(recording, Map.of("workUnits", 1));

        assertThat(search(recording, Map.of("workUnits", 3))).isEqualTo(whole);
        assertThat(search(recording, Map.of("workUnits", 8))).isEqualTo(whole);
        // 8 rows give 15 drift rates: most of 20 work units search one, some none
        List<Map<String, Object>> coarse = search(recording, Map.of("workUnits", 1, "timeSteps", 8));
        assertThat(search(recording, Map.of("workUnits", 20, "timeSteps", 8))).isEqualTo(coarse);
        assertThat(coarse).anySatisfy(c -> assertFound(c, STEADY));
    }

    @Test
    void pureNoiseGivesNothingAboveTheThreshold() {
        for (long seed = 10; seed < 13; seed++) {
            byte[] noise = Recordings.synthesize(seed, SAMPLE_RATE, SECONDS, 1.0);
            assertThat(search(noise, Map.of("workUnits", 4))).as("seed %d", seed).isEmpty();
            assertThat(search(noise, Map.of("workUnits", 2, "fftLength", 4096))).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void maxDriftLimitsTheDriftRatesSearched() {
        byte[] recording = Recordings.synthesize(1, SAMPLE_RATE, SECONDS, 1.0, STEADY, DRIFTING);

        List<Map<String, Object>> candidates = search(recording, Map.of("workUnits", 2, "maxDrift", 1.0));

        assertThat(candidates).singleElement().satisfies(c -> assertFound(c, STEADY));
    }

    @Test
    void findsAToneInALongRecordingWithTheDefaults() {
        // fftLength 4096 (2 Hz bins), 480 spectra summed into 256 rows of one or two
        byte[] recording = Recordings.synthesize(4, SAMPLE_RATE, 240, 1.0, new Tone(3000.7, 0.4, 0.05));
        LocalRunner runner = LocalRunner.forApp(app).replicas(2).blob(recording).build();

        Map<String, Object> result = runner.run(Map.of("recording", ContentAddress.of(recording), "sampleRate", SAMPLE_RATE));

        assertThat(candidates(result)).singleElement().satisfies(c -> {
            assertThat((Double) c.get("frequencyHz")).isCloseTo(3000.7, within(2.0));
            assertThat((Double) c.get("driftHzPerSecond")).isCloseTo(0.4, within(0.02));
        });
    }

    @Test
    void rejectsBadParams() {
        String recording = ContentAddress.of(new byte[0]);
        assertThat(errors(Map.of())).extracting(ParamError::param).containsExactly("recording", "sampleRate");
        assertThat(errors(Map.of("recording", "recording.raw", "sampleRate", 8000)))
                .extracting(ParamError::param).containsExactly("recording");
        assertThat(errors(Map.of("recording", recording, "sampleRate", 0)))
                .containsExactly(new ParamError("sampleRate", "must be >= 1"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "fftLength", 1000)))
                .containsExactly(new ParamError("fftLength", "must be a power of two (512 or 1024)"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "fftLength", 64)))
                .containsExactly(new ParamError("fftLength", "must be >= 128"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "workUnits", 0)))
                .containsExactly(new ParamError("workUnits", "must be >= 1"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "timeSteps", 5000)))
                .containsExactly(new ParamError("timeSteps", "must be <= 4096"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "maxDrift", -1)))
                .containsExactly(new ParamError("maxDrift", "must be >= 0"));
        assertThat(errors(Map.of("recording", recording, "sampleRate", 8000, "snrThreshold", 2)))
                .containsExactly(new ParamError("snrThreshold", "must be >= 5"));
        assertThat(LocalRunner.forApp(app).build().bind(Map.of("recording", recording, "sampleRate", 8000)).asMap())
                .containsEntry("workUnits", 8L).containsEntry("fftLength", 4096L).containsEntry("timeSteps", 256L)
                .containsEntry("snrThreshold", 10.0).doesNotContainKey("maxDrift");
    }

    @Test
    void failsOnARecordingItCannotRead() {
        String missing = ContentAddress.of("never uploaded".getBytes(US_ASCII));
        assertThatThrownBy(() -> LocalRunner.forApp(app).build().run(Map.of("recording", missing, "sampleRate", 8000)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(missing);

        assertFailure(new byte[4 * 2000 + 3], "the recording has 8003 bytes, not a whole number of float32 samples");
        assertFailure(new byte[4 * 1000], "the recording has 1000 samples, fewer than one FFT of 1024");
        float[] samples = new float[4096];
        samples[3000] = Float.NaN;
        assertFailure(Recordings.encode(samples), "sample 3000 of the recording is NaN");
    }

    @Test
    void replicasAgreeWithinTheTolerance() {
        WorkUnit workUnit = new WorkUnit(0, 0, new Search(8000, 1024, 256, Double.NaN, 10, 0, 1).encode());
        String grid = "grid 8.0 0.125 0.0625\n";
        String output = grid + "100 -3 42.5\n200 7 10.5\n";

        assertThat(equivalent(workUnit, output, output)).isTrue();
        assertThat(equivalent(workUnit, output, grid + "100 -3 42.500000001\n200 7 10.5\n")).isTrue();
        assertThat(equivalent(workUnit, output, grid + "100 -3 42.51\n200 7 10.5\n")).isFalse();
        assertThat(equivalent(workUnit, output, grid + "101 -3 42.5\n200 7 10.5\n")).as("a near tie that went to a neighbour")
                .isTrue();
        assertThat(equivalent(workUnit, output, grid + "102 -3 42.5\n200 7 10.5\n")).isFalse();
        assertThat(equivalent(workUnit, output, grid + "200 7 10.5\n")).isFalse();
        assertThat(equivalent(workUnit, output, "grid 8.0 0.126 0.0625\n100 -3 42.5\n200 7 10.5\n")).isFalse();

        String nearThreshold = grid + "100 -3 42.5\n200 7 10.000001\n";
        assertThat(equivalent(workUnit, nearThreshold, grid + "100 -3 42.5\n")).as("rounding may drop it").isTrue();
        assertThat(equivalent(workUnit, grid + "100 -3 42.5\n", nearThreshold)).as("symmetric").isTrue();
    }

    @Test
    void malformedOutputsAreEquivalentToNoOtherOutput() {
        WorkUnit workUnit = new WorkUnit(0, 0, new Search(8000, 1024, 256, Double.NaN, 10, 0, 1).encode());
        String good = "grid 8.0 0.125 0.0625\n100 -3 42.5\n";
        for (String bad : List.of("", "grid", "grid 8.0 0.125\n", "grid 8.0 0.125 0.0625\n100 -3 NaN\n",
                "grid 8.0 0.125 0.0625\n100 42.5\n", "grid 8.0 0.125 0.0625\nx -3 42.5\n")) {
            assertThat(equivalent(workUnit, bad, bad)).as("reflexive").isTrue();
            assertThat(equivalent(workUnit, bad, good)).as(bad).isFalse();
            assertThat(equivalent(workUnit, good, bad)).as(bad).isFalse();
        }
        assertThat(app.equivalent(new WorkUnit(0, 0, new byte[0]), good.getBytes(US_ASCII), (good + " ").getBytes(US_ASCII)))
                .as("a work unit input that does not parse").isFalse();
    }

    @Test
    void theGridSplitsEveryDriftRateIntoExactlyOneSlice() {
        Grid grid = Grid.of(new Search(SAMPLE_RATE, 1024, 256, Double.NaN, 10, 0, 1), (long) (SAMPLE_RATE * SECONDS));

        assertThat(grid.rows).isEqualTo(256);
        assertThat(grid.maxDrift).isEqualTo(255);
        assertThat(grid.binHz).isEqualTo(BIN_HZ);
        assertThat(grid.driftStep).isEqualTo(DRIFT_STEP);
        for (int k : new int[] {-255, -7, 0, 1, 100, 255}) {
            assertThat(grid.shift(0, k)).isZero();
            assertThat(grid.shift(grid.rows - 1, k)).isEqualTo(k);
        }
        for (int slices = 1; slices <= 600; slices += 37) {
            int next = -grid.maxDrift;
            for (int s = 0; s < slices; s++) {
                int[] slice = grid.slice(s, slices);
                assertThat(slice[0]).isEqualTo(next);
                assertThat(slice[1]).isGreaterThanOrEqualTo(slice[0]);
                next = slice[1];
            }
            assertThat(next).isEqualTo(grid.maxDrift + 1);
        }
        Grid limited = Grid.of(new Search(SAMPLE_RATE, 1024, 256, 1.0, 10, 0, 1), (long) (SAMPLE_RATE * SECONDS));
        assertThat(limited.maxDrift).isEqualTo((int) Math.floor(1.0 / DRIFT_STEP));
    }

    @Test
    void recordingsAreDeterministic() {
        byte[] recording = Recordings.synthesize(42, 1000, 1.5, 1.0, new Tone(100, 5, 0.5));

        assertThat(recording).hasSize(1500 * 4).isEqualTo(Recordings.synthesize(42, 1000, 1.5, 1.0, new Tone(100, 5, 0.5)));
        assertThat(recording).isNotEqualTo(Recordings.synthesize(43, 1000, 1.5, 1.0, new Tone(100, 5, 0.5)));
        // pinned, so that a platform that generated other bytes would be noticed
        assertThat(ContentAddress.of(recording)).isEqualTo("sha256:f8ad58bd709b639564eb5f6e02068dc8c4a9aef6e2554d8d39b5a950ae06aa27");

        ByteBuffer tone = ByteBuffer.wrap(Recordings.synthesize(0, 8000, 0.01, 0, new Tone(1000, 0, 2)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(tone.getFloat(0)).isZero();
        assertThat(tone.getFloat(2 * 4)).isEqualTo(2.0f); // 2 sin(2 pi 1000 * 2 / 8000) = 2 sin(pi / 2)
        assertThat(Recordings.encode(1.5f, -2f)).containsExactly(0, 0, (byte) 0xc0, 0x3f, 0, 0, 0, (byte) 0xc0);
    }

    /** About a second of CPU per work unit: {@code ./mvnw ... -Dstarling.slowTests=true} runs it and prints the times. */
    @Test
    @EnabledIfSystemProperty(named = "starling.slowTests", matches = "true")
    void searchesA64MiBRecording() throws Exception {
        double sampleRate = 262_144;
        byte[] recording = Recordings.synthesize(3, sampleRate, 64, 1.0, new Tone(10_000.3, 0, 0.03),
                new Tone(50_000, -40, 0.03));
        assertThat(recording).hasSize(64 << 20);
        String id = ContentAddress.of(recording);
        LocalRunner runner = LocalRunner.forApp(app).replicas(1).threads(1).blob(recording).build();
        for (int slices : new int[] {8, 8, 8, 1, 1}) {
            byte[] input = new Search(sampleRate, 4096, 256, Double.NaN, 10, slices / 2, slices).encode();
            long start = System.nanoTime();
            runner.computeOne(new WorkUnit(0, slices / 2, input, List.of(id)));
            System.out.printf("signal-search, 64 MiB, work unit %d of %d: %d ms%n", slices / 2, slices,
                    (System.nanoTime() - start) / 1_000_000);
        }
        List<Map<String, Object>> candidates = candidates(runner.run(Map.of("recording", id, "sampleRate", sampleRate)));
        assertThat(candidates).hasSize(2);
    }

    private List<Map<String, Object>> search(byte[] recording, Map<String, Object> params) {
        Map<String, Object> raw = new HashMap<>(params);
        raw.put("recording", ContentAddress.of(recording));
        raw.put("sampleRate", SAMPLE_RATE);
        raw.putIfAbsent("fftLength", 1024);
        return candidates(LocalRunner.forApp(app).replicas(2).blob(recording).build().run(raw));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> candidates(Map<String, Object> result) {
        assertThat(result).containsOnlyKeys("candidates");
        return new ArrayList<>((List<Map<String, Object>>) result.get("candidates"));
    }

    /** Within one frequency bin at the start of the recording, and two drift steps. */
    private static void assertFound(Map<String, Object> candidate, Tone tone) {
        assertThat(candidate).containsOnlyKeys("frequencyHz", "driftHzPerSecond", "snr");
        assertThat((Double) candidate.get("frequencyHz")).as("frequency of %s", candidate)
                .isBetween(tone.frequencyHz() - BIN_HZ, tone.frequencyHz() + BIN_HZ);
        assertThat((Double) candidate.get("driftHzPerSecond")).as("drift of %s", candidate)
                .isBetween(tone.driftHzPerSecond() - 2 * DRIFT_STEP, tone.driftHzPerSecond() + 2 * DRIFT_STEP);
        assertThat((Double) candidate.get("snr")).isGreaterThanOrEqualTo(10);
    }

    private void assertFailure(byte[] recording, String message) {
        LocalRunner runner = LocalRunner.forApp(app).replicas(1).blob(recording).build();
        assertThatThrownBy(() -> runner.run(Map.of("recording", ContentAddress.of(recording), "sampleRate", 8000,
                "fftLength", 1024)))
                .isInstanceOf(IllegalStateException.class)
                .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    private boolean equivalent(WorkUnit workUnit, String a, String b) {
        return app.equivalent(workUnit, a.getBytes(US_ASCII), b.getBytes(US_ASCII));
    }

    private List<ParamError> errors(Map<String, ?> raw) {
        try {
            LocalRunner.forApp(app).build().bind(raw);
            throw new AssertionError("accepted " + raw);
        } catch (InvalidParamsException e) {
            return e.errors();
        }
    }
}
