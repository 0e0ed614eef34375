package dev.starling.samples.wordcount;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.starling.samples.wordcount.ReduceTask.Source;
import dev.starling.samples.wordcount.TopWords.WordCount;
import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CancelledException;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.ParamSpec;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Counts the words of a text in two stages, MapReduce style. Stage 0 has {@code mapTasks} map work units:
 * each counts the words of one slice of the input blob (see {@link Words} for what a word is and how
 * slices are cut), splits its counts into {@code reducers} partitions by a hash of the word, stores each
 * partition as a blob ({@link Partition}) and outputs their ids and sizes. Stage 1 has one reduce work
 * unit per partition: it adds up partition r of every map output and outputs the partition's total, its
 * number of distinct words and its 100 most frequent words. Partitions hold disjoint sets of words, so the
 * job's totals are sums and its top 100 lies within the union of the partitions' top 100s.
 * Integer work throughout: replicas must agree byte for byte.
 */
public final class WordCountApp implements App {
    public static final String NAME = "wordcount";
    static final int MAX_MAP_TASKS = 10_000;
    static final int MAX_REDUCERS = 1_000;
    /** the reduce plan holds the id of every partition of every map output */
    static final long MAX_PARTITIONS = 1_000_000;
    static final int TOP = 100;
    private static final double BYTES_PER_CREDIT = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();

    private static final AppInfo INFO = new AppInfo(NAME, "1",
            "Counts the words of a text (a blob): ASCII letters are lower-cased and a word is a maximal run of"
                    + " a-z; digits, punctuation and non-ASCII bytes separate words. Stage 0: `mapTasks` work"
                    + " units count a slice each and store their counts as `reducers` partitions; stage 1: one"
                    + " work unit per partition adds them up. Replicas must agree exactly."
                    + " Credit: 1 per map work unit, 1 per MiB a reduce work unit reads."
                    + " Result: {\"totalWords\": n, \"distinctWords\": n, \"top\": [[\"word\", count], ...]}"
                    + " with the 100 most frequent words, ties in alphabetical order.",
            List.of(
                    ParamSpec.blob("input", "the text, UTF-8 (any bytes are accepted; only ASCII letters make words)"),
                    ParamSpec.integer("mapTasks", "map work units, 1 to 10000; each reads about 1/mapTasks of the input")
                            .withDefault(8L)
                            .withRange(1.0, (double) MAX_MAP_TASKS),
                    ParamSpec.integer("reducers", "partitions of the counts (reduce work units), 1 to 1000;"
                                    + " mapTasks * reducers at most 10^6")
                            .withDefault(4L)
                            .withRange(1.0, (double) MAX_REDUCERS)));

    @Override
    public AppInfo info() {
        return INFO;
    }

    @Override
    public List<ParamError> validate(JobParams params) {
        long partitions = params.getLong("mapTasks") * params.getLong("reducers");
        if (partitions > MAX_PARTITIONS) {
            return List.of(new ParamError("reducers", "gives " + partitions + " partitions (mapTasks * reducers), more"
                    + " than " + MAX_PARTITIONS + "; use at most " + MAX_PARTITIONS / params.getLong("mapTasks")));
        }
        return List.of();
    }

    /**
     * The map stage. {@code split} cannot see the input's size, so each map work unit is told only its
     * number and computes its slice when it runs; for the same reason its credit is a flat 1.
     */
    @Override
    public StagePlan split(JobParams params) {
        int maps = (int) params.getLong("mapTasks");
        int reducers = (int) params.getLong("reducers");
        List<String> input = List.of(params.getString("input"));
        return StagePlan.of(maps, m -> new WorkUnitSpec(new MapTask((int) m, maps, reducers).encode(), 1.0, input));
    }

    /** After the maps, one reduce work unit per partition; after the reduces, nothing. */
    @Override
    public Optional<StagePlan> nextStage(JobParams params, int completedStage, Stream<CanonicalOutput> outputs) {
        return switch (completedStage) {
            case 0 -> Optional.of(reducePlan(params, outputs));
            case 1 -> Optional.empty();
            default -> throw new IllegalArgumentException("wordcount has stages 0 and 1, not " + completedStage);
        };
    }

    @Override
    public void compute(WorkUnit workUnit, TaskContext context) throws Exception {
        switch (workUnit.stage()) {
            case 0 -> map(workUnit, context);
            case 1 -> reduce(workUnit, context);
            default -> throw new IllegalArgumentException("wordcount has stages 0 and 1, not " + workUnit.stage());
        }
    }

    @Override
    public Map<String, Object> assimilate(JobParams params, Stream<CanonicalOutput> outputs) {
        long[] totals = new long[2];
        TopWords top = new TopWords(TOP);
        outputs.forEach(o -> {
            ReduceOutput partition = ReduceOutput.decode(o.output());
            totals[0] += partition.totalWords();
            totals[1] += partition.distinctWords();
            partition.top().forEach(w -> top.add(w.word(), w.count()));
        });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("totalWords", totals[0]);
        result.put("distinctWords", totals[1]);
        result.put("top", top.sorted().stream().map(w -> List.<Object>of(w.word(), w.count())).toList());
        return result;
    }

    /** Counts the slice's words and stores them as partitions; outputs {@code "<blob id> <size>\n"} per partition. */
    private static void map(WorkUnit workUnit, TaskContext context) throws IOException {
        MapTask task = MapTask.decode(workUnit.input());
        String input = single(workUnit.blobs());
        long size = context.blobSize(input);
        Map<String, long[]> counts;
        try (InputStream in = context.openBlob(input)) {
            counts = Words.countSlice(in, task.from(size), task.to(size), context);
        }
        List<List<Map.Entry<String, long[]>>> partitions = new ArrayList<>(task.reducers());
        for (int r = 0; r < task.reducers(); r++) {
            partitions.add(new ArrayList<>());
        }
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            partitions.get(Words.partition(e.getKey(), task.reducers())).add(e);
        }
        StringBuilder output = new StringBuilder();
        for (List<Map.Entry<String, long[]>> partition : partitions) {
            byte[] content = Partition.encode(partition);
            output.append(context.storeBlob(content)).append(' ').append(content.length).append('\n');
        }
        context.output().write(output.toString().getBytes(US_ASCII));
    }

    /** Adds up the partition over all maps; outputs its totals and top words ({@link ReduceOutput}). */
    private static void reduce(WorkUnit workUnit, TaskContext context) throws IOException {
        ReduceTask task = ReduceTask.decode(workUnit.input());
        Map<String, long[]> counts = new HashMap<>();
        long total = 0;
        int done = 0;
        for (Source source : task.sources()) {
            if (context.isCancelled()) {
                throw new CancelledException();
            }
            long[] sum = {0};
            try (InputStream in = context.openBlob(source.blobId())) {
                Partition.read(in, (word, count) -> {
                    long times = Math.multiplyExact(count, (long) source.multiplicity());
                    counts.computeIfAbsent(word, w -> new long[1])[0] += times;
                    sum[0] = Math.addExact(sum[0], times);
                });
            }
            total = Math.addExact(total, sum[0]);
            context.progress((double) ++done / task.sources().size());
        }
        TopWords top = new TopWords(TOP);
        counts.forEach((word, count) -> top.add(word, count[0]));
        context.output().write(new ReduceOutput(total, counts.size(), top.sorted()).encode());
    }

    /**
     * The reduce plan from the map outputs: the R partition ids of each of the M maps, kept as raw 32-byte
     * hashes (at most 10^6 of them) so that the plan can answer for any partition on demand.
     */
    private static StagePlan reducePlan(JobParams params, Stream<CanonicalOutput> outputs) {
        int maps = (int) params.getLong("mapTasks");
        int reducers = (int) params.getLong("reducers");
        byte[] hashes = new byte[maps * reducers * 32];
        long[] sizes = new long[maps * reducers];
        int[] seen = {0};
        outputs.forEach(o -> {
            String[] lines = new String(o.output(), US_ASCII).split("\n");
            if (o.index() >= maps || lines.length != reducers) {
                throw new IllegalStateException("map output " + o.index() + " names " + lines.length
                        + " partitions; expected " + reducers);
            }
            for (int r = 0; r < reducers; r++) {
                String[] fields = lines[r].split(" ");
                if (fields.length != 2 || !ContentAddress.isValid(fields[0])) {
                    throw new IllegalStateException("map output " + o.index() + ": not \"<blob id> <size>\": " + lines[r]);
                }
                int slot = (int) o.index() * reducers + r;
                byte[] hash = HEX.parseHex(fields[0], ContentAddress.PREFIX.length(), fields[0].length());
                System.arraycopy(hash, 0, hashes, slot * 32, hash.length);
                sizes[slot] = Long.parseLong(fields[1]);
            }
            seen[0]++;
        });
        if (seen[0] != maps) {
            throw new IllegalStateException("expected " + maps + " map outputs, got " + seen[0]);
        }
        return StagePlan.of(reducers, index -> {
            int r = (int) index;
            Map<String, Integer> multiplicity = new LinkedHashMap<>();
            double bytes = 0;
            for (int m = 0; m < maps; m++) {
                int slot = m * reducers + r;
                if (sizes[slot] > 0) {
                    multiplicity.merge(ContentAddress.PREFIX + HEX.formatHex(hashes, slot * 32, slot * 32 + 32), 1,
                            Integer::sum);
                    bytes += sizes[slot];
                }
            }
            ReduceTask task = new ReduceTask(r,
                    multiplicity.entrySet().stream().map(e -> new Source(e.getKey(), e.getValue())).toList());
            return new WorkUnitSpec(task.encode(), bytes / BYTES_PER_CREDIT, task.blobs());
        });
    }

    private static String single(List<String> blobs) {
        if (blobs.size() != 1) {
            throw new IllegalArgumentException("a map work unit reads exactly one blob, not " + blobs);
        }
        return blobs.get(0);
    }

    /**
     * A reduce work unit's output: {@code "<totalWords> <distinctWords>\n"}, then {@code "<word> <count>\n"}
     * for its top words, most frequent first.
     */
    record ReduceOutput(long totalWords, long distinctWords, List<WordCount> top) {
        byte[] encode() {
            StringBuilder text = new StringBuilder().append(totalWords).append(' ').append(distinctWords).append('\n');
            top.forEach(w -> text.append(w.word()).append(' ').append(w.count()).append('\n'));
            return text.toString().getBytes(US_ASCII);
        }

        static ReduceOutput decode(byte[] output) {
            String[] lines = new String(output, US_ASCII).split("\n");
            String[] totals = lines[0].split(" ");
            List<WordCount> top = new ArrayList<>(lines.length - 1);
            for (int i = 1; i < lines.length; i++) {
                int space = lines[i].indexOf(' ');
                top.add(new WordCount(lines[i].substring(0, space), Long.parseLong(lines[i].substring(space + 1))));
            }
            return new ReduceOutput(Long.parseLong(totals[0]), Long.parseLong(totals[1]), top);
        }
    }
}
