package dev.starling.samples.wordcount;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code limit} most frequent words seen, most frequent first, ties broken alphabetically. Keeps at
 * most {@code limit} words, so it can fold any number of them.
 */
final class TopWords {
    /** Most frequent first, then alphabetically: the order of the result. */
    static final Comparator<WordCount> ORDER =
            Comparator.comparingLong(WordCount::count).reversed().thenComparing(WordCount::word);

    record WordCount(String word, long count) {}

    private final int limit;
    /** the worst kept word at the head */
    private final PriorityQueue<WordCount> kept;

    TopWords(int limit) {
        this.limit = limit;
        this.kept = new PriorityQueue<>(ORDER.reversed());
    }

    void add(String word, long count) {
        WordCount candidate = new WordCount(word, count);
        if (kept.size() < limit) {
            kept.add(candidate);
        } else if (ORDER.compare(candidate, kept.peek()) < 0) {
            kept.poll();
            kept.add(candidate);
        }
    }

    List<WordCount> sorted() {
        List<WordCount> list = new ArrayList<>(kept);
        list.sort(ORDER);
        return list;
    }
}
