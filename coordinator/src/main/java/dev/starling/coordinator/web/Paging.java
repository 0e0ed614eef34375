package dev.starling.coordinator.web;

/** The checks every paged listing applies to its {@code page} and {@code size} query parameters. */
public final class Paging {
    public static final int MAX_SIZE = 500;
    /** deeper than any listing goes; beyond it a page number is a mistake, not a wish */
    public static final int MAX_PAGE = 10_000_000;

    private Paging() {}

    public static void check(int page, int size) {
        if (page < 0 || page > MAX_PAGE) {
            throw new BadRequestException("page", "must be between 0 and " + MAX_PAGE + ", got " + page);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new BadRequestException("size", "must be between 1 and " + MAX_SIZE + ", got " + size);
        }
    }

    /** The row offset of a checked page, computed without overflow. */
    public static long offset(int page, int size) {
        return (long) page * size;
    }
}
