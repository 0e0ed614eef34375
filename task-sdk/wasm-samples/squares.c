/*
 * A sample that checkpoints: sums i*i for i < N, saving its position and sum to /checkpoint/state whenever the
 * worker asks (starling_checkpoint_due) and resuming from that file when it exists.
 *
 *   app N
 */
#include <stdio.h>
#include <stdlib.h>

#include "starling.h"

int main(int argc, char **argv) {
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000ULL;
    unsigned long long i = 0, sum = 0;
    FILE *saved = fopen("/checkpoint/state", "r");
    if (saved) {
        if (fscanf(saved, "%llu %llu", &i, &sum) != 2 || i > n) i = sum = 0;
        fclose(saved);
    }
    for (; i < n; i++) {
        sum += i * i;
        if ((i & 0xFFFFF) == 0) {
            starling_progress((double) i / (double) n);
            if (starling_checkpoint_due()) {
                FILE *f = fopen("/checkpoint/state.tmp", "w");
                if (f && fprintf(f, "%llu %llu", i + 1, sum + 0) > 0 && fclose(f) == 0
                        && rename("/checkpoint/state.tmp", "/checkpoint/state") == 0) {
                    starling_checkpoint_done();
                }
            }
        }
    }
    printf("%llu\n", sum);
    return 0;
}
