/* Memory-heavy kernel of the engine benchmark: a plain sieve of Eratosthenes over a byte array of N bytes
 * (one per number), repeated R times, counting the primes below N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    unsigned char *composite = malloc(n);
    if (!composite) {
        fprintf(stderr, "no memory for %ld bytes\n", n);
        return 1;
    }
    long count = 0;
    for (int r = 0; r < rounds; r++) {
        memset(composite, 0, n);
        for (long i = 2; i * i < n; i++) {
            if (!composite[i]) {
                for (long j = i * i; j < n; j += i) composite[j] = 1;
            }
        }
        count = 0;
        for (long i = 2; i < n; i++) count += !composite[i];
    }
    printf("%ld\n", count);
    free(composite);
    return 0;
}
