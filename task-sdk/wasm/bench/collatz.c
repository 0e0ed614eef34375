/* Integer kernel of the engine benchmark: the start below N with the longest Collatz chain. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    uint64_t limit = argc > 1 ? strtoull(argv[1], NULL, 10) : 3000000;
    uint64_t best = 1, bestSteps = 0;
    for (uint64_t start = 1; start < limit; start++) {
        uint64_t n = start, steps = 0;
        while (n != 1) {
            n = (n & 1) ? 3 * n + 1 : n >> 1;
            steps++;
        }
        if (steps > bestSteps) {
            bestSteps = steps;
            best = start;
        }
    }
    printf("%llu %llu\n", (unsigned long long) best, (unsigned long long) bestSteps);
    return 0;
}
