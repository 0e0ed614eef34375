package dev.starling.samples.checksum;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark's app: almost no work per work unit, so that a load test measures the coordinator and not
 * the computation. Work unit {@code i} outputs the SHA-256 of its 8-byte index, hashed {@code rounds} times,
 * as hex text (its input carries both numbers, so computing needs no job parameters); the job's result is the SHA-256 of all outputs in index order. {@link #output} and
 * {@link #digest} are public so that a load generator can compute what honest hosts would, and check the
 * job's result.
 */
public final class ChecksumApp implements App {
    public static final String NAME = "checksum";
    static final long MAX_WORK_UNITS = 10_000_000;
    static final long MAX_ROUNDS = 1_000_000;

    private static final AppInfo INFO = new AppInfo(NAME, "1",
            "A benchmark app with almost no work per work unit: work unit i outputs SHA-256 of i (8 bytes,"
                    + " big-endian), hashed `rounds` times, as hex. Credit: `rounds` per work unit."
                    + " Result: {\"workUnits\": n, \"digest\": SHA-256 of the outputs in order}.",
            List.of(
                    ParamSpec.integer("workUnits", "how many work units, 1 to 10^7")
                            .withRange(1.0, (double) MAX_WORK_UNITS),
                    ParamSpec.integer("rounds", "SHA-256 rounds per work unit, 1 to 10^6 (the work per unit)")
                            .withDefault(1L)
                            .withRange(1.0, (double) MAX_ROUNDS)));

    @Override
    public AppInfo info() {
        return INFO;
    }

    @Override
    public List<ParamError> validate(JobParams params) {
        return List.of();
    }

    @Override
    public StagePlan split(JobParams params) {
        long rounds = params.getLong("rounds");
        return StagePlan.of(params.getLong("workUnits"), index -> new WorkUnitSpec(encode(index, rounds), rounds));
    }

    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        ByteBuffer input = ByteBuffer.wrap(workUnit.input());
        context.output().write(output(input.getLong(), input.getLong()));
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        MessageDigest all = sha256();
        long[] count = {0};
        outputs.forEach(o -> {
            all.update(o.output());
            count[0]++;
        });
        return Map.of("workUnits", count[0], "digest", HexFormat.of().formatHex(all.digest()));
    }

    /** The input of work unit {@code index}: its index and the rounds, 8 bytes each. */
    public static byte[] encode(long index, long rounds) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(index).putLong(rounds).array();
    }

    /** What an honest host outputs for work unit {@code index}. */
    public static byte[] output(long index, long rounds) {
        MessageDigest sha = sha256();
        byte[] value = ByteBuffer.allocate(Long.BYTES).putLong(index).array();
        for (long r = 0; r < rounds; r++) {
            value = sha.digest(value);
        }
        return HexFormat.of().formatHex(value).getBytes(US_ASCII);
    }

    /** The result's digest of a job of {@code workUnits} work units whose outputs are all honest. */
    public static String digest(long workUnits, long rounds) {
        MessageDigest all = sha256();
        for (long i = 0; i < workUnits; i++) {
            all.update(output(i, rounds));
        }
        return HexFormat.of().formatHex(all.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
