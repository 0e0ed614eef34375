package dev.starling.coordinator.dashboard;

/** Where a paged table is: rows {@code first..last} of {@code total}, and whether there are pages before and after. */
public record PageLinks(int page, int size, long total) {
    public long first() {
        return total == 0 ? 0 : (long) page * size + 1;
    }

    public long last() {
        return Math.min(total, (long) (page + 1) * size);
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }
}
