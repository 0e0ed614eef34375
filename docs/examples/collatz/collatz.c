/*
 * The longest Collatz chain of a range: prints "FROM TO N STEPS", where N is the first start in [FROM, TO) whose
 * chain down to 1 is longest and STEPS is its length. docs/writing-an-app.md builds it, runs it, deploys it and
 * sweeps it over a million starts.
 *
 *   app FROM TO        1 <= FROM < TO <= 10^10
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t steps(uint64_t n) {
    uint32_t count = 0;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        count++;
    }
    return count;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: collatz FROM TO\n");
        return 2;
    }
    uint64_t from = strtoull(argv[1], NULL, 10);
    uint64_t to = strtoull(argv[2], NULL, 10);
    if (from < 1 || to <= from || to > 10000000000ULL) {
        fprintf(stderr, "collatz: expected 1 <= FROM < TO <= 10^10, got %s %s\n", argv[1], argv[2]);
        return 2;
    }
    uint64_t best = from;
    uint32_t most = 0;
    for (uint64_t n = from; n < to; n++) {
        uint32_t s = steps(n);
        if (s > most) {
            most = s;
            best = n;
        }
    }
    printf("%llu %llu %llu %u\n", (unsigned long long) from, (unsigned long long) to, (unsigned long long) best, most);
    return 0;
}
