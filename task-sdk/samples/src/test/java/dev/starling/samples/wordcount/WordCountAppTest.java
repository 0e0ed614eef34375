package dev.starling.samples.wordcount;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.samples.wordcount.ReduceTask.Source;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.ContentAddress;
import dev.starling.sdk.InvalidParamsException;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.LocalRunner;
import dev.starling.sdk.ParamError;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnitSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WordCountAppTest {
    private static final Pattern WORD = Pattern.compile("[a-z]+");
    private static final String[] SEPARATORS = {
        " ", " ", " ", "\n", ", ", ". ", "--", "\t", "_", "'", "3", "42", "é", "日本", "😀", "ß", "\r\n", "Ω"};

    private final WordCountApp app = new WordCountApp();

    @Test
    void countsAGeneratedCorpusAsARegexDoes() {
        byte[] corpus = corpus(new Random(7), 60_000);
        Map<String, Object> expected = expected(corpus);
        assertThat((Long) expected.get("distinctWords")).as("a corpus with more than 100 words").isGreaterThan(300);

        LocalRunner runner = runnerWith(corpus);
        int[][] shapes = {{1, 1}, {1, 5}, {2, 1}, {3, 2}, {8, 4}, {17, 5}, {64, 16}, {500, 3}};
        for (int[] shape : shapes) {
            assertThat(runner.run(params(corpus, shape[0], shape[1])))
                    .as("mapTasks %d, reducers %d", shape[0], shape[1])
                    .isEqualTo(expected);
        }
    }

    @Test
    void countsEveryWordOnceWhereverTheSlicesCut() {
        // every slice boundary of every M lands inside a word, at its start or end, or in a separator
        byte[] text = "Alpha beta,GAMMA  d3lta éepsilon zeta-eta iota!kappa\nlambda mu".getBytes(UTF_8);
        Map<String, Object> expected = expected(text);
        LocalRunner runner = runnerWith(text);
        for (int maps = 1; maps <= text.length + 3; maps++) {
            assertThat(runner.run(params(text, maps, 2))).as("mapTasks %d", maps).isEqualTo(expected);
        }
    }

    @Test
    void aSliceSkipsTheWordItStartsInAndFinishesItsLastWord() throws IOException {
        byte[] text = "abc def ghi".getBytes(US_ASCII);

        assertThat(slice(text, 0, 2)).isEqualTo(Map.of("abc", 1L));
        assertThat(slice(text, 2, 5)).isEqualTo(Map.of("def", 1L)); // skips "c", reads past 5 to finish "def"
        assertThat(slice(text, 4, 5)).isEqualTo(Map.of("def", 1L));
        assertThat(slice(text, 5, 8)).as("\"def\" began before 5, \"ghi\" begins at 8").isEmpty();
        assertThat(slice(text, 5, 9)).isEqualTo(Map.of("ghi", 1L));
        assertThat(slice(text, 3, 4)).isEmpty(); // a lone separator
        assertThat(slice(text, 5, 5)).isEmpty();
        assertThat(slice(text, 9, 11)).isEmpty();
        assertThat(slice("ONE two".getBytes(US_ASCII), 0, 7)).isEqualTo(Map.of("one", 1L, "two", 1L));
    }

    @Test
    void nonAsciiBytesDigitsAndPunctuationSeparateWords() {
        byte[] text = "Café naïve ÀB über日本語x 123abc4DEF résumé".getBytes(UTF_8);

        Map<String, Object> result = runnerWith(text).run(params(text, 3, 2));

        // caf, na, ve, b, ber, x, abc, def, r, sum
        assertThat(result).containsEntry("totalWords", 10L).containsEntry("distinctWords", 10L);
        assertThat(result).isEqualTo(expected(text));
    }

    @Test
    void identicalPartitionsOfSeveralMapsAreCountedAsOftenAsTheyOccur() {
        // eight identical slices: every map stores the same partitions, so reduce work units name each blob once
        byte[] text = "the cat sat on the mat ".repeat(8).getBytes(US_ASCII);
        LocalRunner runner = runnerWith(text);

        Map<String, Object> result = runner.run(params(text, 8, 3));

        assertThat(result).isEqualTo(expected(text));
        assertThat(result.get("top")).isEqualTo(List.of(List.of("the", 16L), List.of("cat", 8L), List.of("mat", 8L),
                List.of("on", 8L), List.of("sat", 8L)));
    }

    @Test
    void theReducePlanNamesEachBlobOnceAndKeepsTheMultiplicityInItsInput() {
        JobParams params = bind(Map.of("input", ContentAddress.of(new byte[0]), "mapTasks", 3, "reducers", 2));
        String a = ContentAddress.of("a 1\n".getBytes(US_ASCII));
        String b = ContentAddress.of("b 1\n".getBytes(US_ASCII));
        String empty = ContentAddress.of(new byte[0]);
        Stream<CanonicalOutput> maps = Stream.of(
                mapOutput(0, a + " 4", empty + " 0"),
                mapOutput(1, a + " 4", b + " 4"),
                mapOutput(2, a + " 4", empty + " 0"));

        StagePlan reduces = app.nextStage(params, 0, maps).orElseThrow();

        assertThat(reduces.size()).isEqualTo(2);
        WorkUnitSpec first = reduces.workUnit(0);
        assertThat(first.blobs()).containsExactly(a);
        assertThat(ReduceTask.decode(first.input()).sources()).containsExactly(new Source(a, 3));
        assertThat(first.cost()).isEqualTo(12.0 / (1 << 20));
        WorkUnitSpec second = reduces.workUnit(1);
        assertThat(second.blobs()).as("empty partitions add nothing and are not fetched").containsExactly(b);
        assertThat(ReduceTask.decode(second.input()).sources()).containsExactly(new Source(b, 1));
        assertThat(app.nextStage(params, 1, Stream.empty())).isEmpty();
    }

    @Test
    void anEmptyInputHasNoWords() {
        Map<String, Object> empty = Map.of("totalWords", 0L, "distinctWords", 0L, "top", List.of());

        assertThat(runnerWith(new byte[0]).run(params(new byte[0], 4, 3))).isEqualTo(empty);
        byte[] noWords = "1234 ,.;!? 日本 \n".getBytes(UTF_8);
        assertThat(runnerWith(noWords).run(params(noWords, 5, 2))).isEqualTo(empty);
    }

    @Test
    void tiesAreBrokenAlphabeticallyAcrossPartitions() {
        // 300 words three times each, and one word four times: the top is "zzz" then the first 99 alphabetically
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            words.add(name(i));
        }
        StringBuilder text = new StringBuilder();
        for (int round = 0; round < 3; round++) {
            for (int i = words.size() - 1; i >= 0; i--) {
                text.append(words.get(i)).append(' ');
            }
        }
        text.append("zzz zzz zzz zzz");
        byte[] bytes = text.toString().getBytes(US_ASCII);

        Map<String, Object> result = runnerWith(bytes).run(params(bytes, 6, 7));

        List<List<Object>> top = new ArrayList<>();
        top.add(List.of("zzz", 4L));
        words.stream().sorted().limit(99).forEach(w -> top.add(List.of(w, 3L)));
        assertThat(result).isEqualTo(Map.of("totalWords", 904L, "distinctWords", 301L, "top", top));
        assertThat(result).isEqualTo(expected(bytes));
    }

    @Test
    void partitionsByFnv1aOfTheWord() {
        // FNV-1a 64 test vectors: "a" -> af63dc4c8601ec8c, "foobar" -> 85944171f73967e8
        assertThat(Words.partition("a", 1000)).isEqualTo((int) Long.remainderUnsigned(0xaf63dc4c8601ec8cL, 1000));
        assertThat(Words.partition("foobar", 7)).isEqualTo((int) Long.remainderUnsigned(0x85944171f73967e8L, 7));
        assertThat(Words.partition("anything", 1)).isZero();
    }

    @Test
    void partitionsAreSortedLinesOfWordAndCount() throws IOException {
        Map<String, long[]> counts = new HashMap<>(Map.of("pear", new long[] {2}, "apple", new long[] {10}));
        byte[] encoded = Partition.encode(new ArrayList<>(counts.entrySet()));

        assertThat(new String(encoded, US_ASCII)).isEqualTo("apple 10\npear 2\n");
        Map<String, Long> read = new LinkedHashMap<>();
        Partition.read(new ByteArrayInputStream(encoded), read::put);
        assertThat(read).containsExactly(Map.entry("apple", 10L), Map.entry("pear", 2L));
    }

    @Test
    void rejectsBadParams() {
        String input = ContentAddress.of(new byte[0]);
        assertThat(errors(Map.of("mapTasks", 2)))
                .containsExactly(new ParamError("input", "is required (the text, UTF-8 (any bytes are accepted;"
                        + " only ASCII letters make words))"));
        assertThat(errors(Map.of("input", "not-a-blob"))).extracting(ParamError::param).containsExactly("input");
        assertThat(errors(Map.of("input", input, "mapTasks", 0)))
                .containsExactly(new ParamError("mapTasks", "must be >= 1"));
        assertThat(errors(Map.of("input", input, "mapTasks", 10_001)))
                .containsExactly(new ParamError("mapTasks", "must be <= 10000"));
        assertThat(errors(Map.of("input", input, "reducers", 1001)))
                .containsExactly(new ParamError("reducers", "must be <= 1000"));
        assertThat(errors(Map.of("input", input, "mapTasks", 10_000, "reducers", 101))).containsExactly(new ParamError(
                "reducers", "gives 1010000 partitions (mapTasks * reducers), more than 1000000; use at most 100"));
        assertThat(bind(Map.of("input", input)).asMap()).containsEntry("mapTasks", 8L).containsEntry("reducers", 4L);
    }

    @Test
    void aJobWhoseInputWasNotUploadedFails() {
        LocalRunner runner = LocalRunner.forApp(app).build();
        String missing = ContentAddress.of("never uploaded".getBytes(US_ASCII));

        assertThatThrownBy(() -> runner.run(Map.of("input", missing)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(missing);
    }

    private LocalRunner runnerWith(byte[] input) {
        return LocalRunner.forApp(app).replicas(2).blob(input).build();
    }

    private static Map<String, Object> params(byte[] input, int maps, int reducers) {
        return Map.of("input", ContentAddress.of(input), "mapTasks", maps, "reducers", reducers);
    }

    private JobParams bind(Map<String, ?> raw) {
        return LocalRunner.forApp(app).build().bind(raw);
    }

    private List<ParamError> errors(Map<String, ?> raw) {
        try {
            bind(raw);
            throw new AssertionError("accepted " + raw);
        } catch (InvalidParamsException e) {
            return e.errors();
        }
    }

    private static CanonicalOutput mapOutput(long index, String... partitions) {
        return new CanonicalOutput(0, index, (String.join("\n", partitions) + "\n").getBytes(US_ASCII));
    }

    /** The result computed independently: a regex over the lower-cased text, a HashMap, a sort. */
    private static Map<String, Object> expected(byte[] text) {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        // ISO-8859-1 maps each byte to one char; bytes >= 0x80 become chars that are not a-z, even lower-cased
        Matcher words = WORD.matcher(new String(text, ISO_8859_1).toLowerCase(Locale.ROOT));
        while (words.find()) {
            counts.merge(words.group(), 1L, Long::sum);
            total++;
        }
        List<List<Object>> top = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(100)
                .map(e -> List.<Object>of(e.getKey(), e.getValue()))
                .toList();
        return Map.of("totalWords", total, "distinctWords", (long) counts.size(), "top", top);
    }

    /** About {@code words} words from a Zipf-like vocabulary, in mixed case, between all kinds of separators. */
    private static byte[] corpus(Random random, int words) {
        List<String> vocabulary = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            StringBuilder word = new StringBuilder();
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            vocabulary.add(word.toString());
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String word = vocabulary.get((int) Math.min(vocabulary.size() - 1, Math.abs(random.nextGaussian()) * 150));
            word = switch (random.nextInt(6)) {
                case 0 -> word.toUpperCase(Locale.ROOT);
                case 1 -> Character.toUpperCase(word.charAt(0)) + word.substring(1);
                default -> word;
            };
            text.append(word).append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
        }
        return text.toString().getBytes(UTF_8);
    }

    /** A distinct lower-case name for i: a, b, ..., z, ba, bb, ... */
    private static String name(int i) {
        StringBuilder name = new StringBuilder();
        do {
            name.insert(0, (char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return name.toString();
    }

    private static Map<String, Long> slice(byte[] text, long lo, long hi) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        Words.countSlice(new ByteArrayInputStream(text), lo, hi, new NoContext()).forEach((w, c) -> counts.put(w, c[0]));
        return counts;
    }

    /** Enough of a task context for {@link Words#countSlice}: never cancelled, progress within [0, 1]. */
    private static final class NoContext implements TaskContext {
        @Override
        public void progress(double fractionDone) {
            assertThat(fractionDone).isBetween(0.0, 1.0);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Optional<byte[]> checkpoint() {
            return Optional.empty();
        }

        @Override
        public void saveCheckpoint(byte[] state) {}

        @Override
        public OutputStream output() {
            return new ByteArrayOutputStream();
        }

        @Override
        public InputStream openBlob(String blobId) {
            throw new IllegalArgumentException(blobId);
        }

        @Override
        public long blobSize(String blobId) {
            throw new IllegalArgumentException(blobId);
        }

        @Override
        public String storeBlob(byte[] content) {
            throw new UnsupportedOperationException();
        }
    }
}
