/*
 * Counts the primes p with from <= p < to (to at most 10^12), printing the count in decimal: the C twin of the
 * built-in Java app "primes" (task-sdk/samples), giving the same counts for the same ranges. A segmented sieve of
 * Eratosthenes over odd numbers, one byte per odd number, 256 KiB per segment.
 *
 *   app FROM TO
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starling.h"

#define SEGMENT_BYTES (256 * 1024)
#define SEGMENT_SPAN (2LL * SEGMENT_BYTES)
#define MAX_TO 1000000000000LL

/* The largest r with r * r <= n, for 0 <= n <= 10^12, by bisection (no floating point). */
static int64_t isqrt(int64_t n) {
    int64_t hi = 1;
    while (hi * hi <= n) hi *= 2;
    int64_t lo = hi / 2; /* lo^2 <= n < hi^2 */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (mid * mid <= n) lo = mid; else hi = mid;
    }
    return n < 1 ? 0 : lo;
}

/* The odd primes up to limit, ascending; their number in *count. */
static int32_t *odd_primes_up_to(int32_t limit, int32_t *count) {
    *count = 0;
    if (limit < 3) return NULL;
    unsigned char *composite = calloc(limit + 1, 1);
    int32_t n = 0;
    for (int64_t i = 3; i <= limit; i += 2) {
        if (!composite[i]) {
            n++;
            for (int64_t j = i * i; j <= limit; j += 2 * i) composite[j] = 1;
        }
    }
    int32_t *primes = malloc(sizeof(int32_t) * (n > 0 ? n : 1));
    for (int64_t i = 3, k = 0; i <= limit; i += 2) {
        if (!composite[i]) primes[k++] = (int32_t) i;
    }
    free(composite);
    *count = n;
    return primes;
}

/* The primes in [lo, hi), hi - lo <= SEGMENT_SPAN, as Sieve.countPrimes in the Java app. */
static int64_t count_primes(int64_t lo, int64_t hi, const int32_t *base, int32_t nbase, unsigned char *segment) {
    int64_t count = lo <= 2 && 2 < hi ? 1 : 0;
    int64_t first = (lo > 3 ? lo : 3) | 1;
    if (first >= hi) return count;
    int32_t size = (int32_t) ((hi - first + 1) / 2);
    memset(segment, 0, size);
    for (int32_t k = 0; k < nbase; k++) {
        int64_t p = base[k];
        int64_t square = p * p;
        if (square >= hi) break;
        int64_t multiple = (first + p - 1) / p * p;
        if (multiple < square) multiple = square;
        if ((multiple & 1) == 0) multiple += p;
        for (int64_t j = (multiple - first) >> 1; j < size; j += p) segment[j] = 1;
    }
    int64_t composites = 0;
    for (int32_t j = 0; j < size; j++) composites += segment[j];
    return count + size - composites;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: primes FROM TO\n");
        return 2;
    }
    char *end1, *end2;
    long long from = strtoll(argv[1], &end1, 10), to = strtoll(argv[2], &end2, 10);
    if (*end1 || *end2 || from < 0 || to <= from || to > MAX_TO) {
        fprintf(stderr, "primes: need 0 <= FROM < TO <= 10^12, got %s %s\n", argv[1], argv[2]);
        return 2;
    }
    int32_t nbase;
    int32_t *base = odd_primes_up_to((int32_t) isqrt(to - 1), &nbase);
    unsigned char *segment = malloc(SEGMENT_BYTES);
    int64_t count = 0;
    for (int64_t next = from; next < to;) {
        int64_t stop = next + SEGMENT_SPAN < to ? next + SEGMENT_SPAN : to;
        count += count_primes(next, stop, base, nbase, segment);
        next = stop;
        starling_progress((double) (next - from) / (double) (to - from));
    }
    printf("%lld", (long long) count);
    return 0;
}
