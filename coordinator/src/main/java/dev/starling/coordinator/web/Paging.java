package dev.starling.coordinator.web;

/** The checks every paged listing applies to its {@code page} and {@code size} query parameters. */
public final class Paging {
    public static final int MAX_SIZE = 500;

    private Paging() {}

    public static void check(int page, int size) {
        if (page < 0) {
            throw new BadRequestException("page", "must be >= 0, got " + page);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new BadRequestException("size", "must be between 1 and " + MAX_SIZE + ", got " + size);
        }
    }
}
