/*
 * A reduce step's app: sums the integers it reads (separated by white space) and prints the sum and a newline, so
 * that its own outputs, concatenated, are again its input (as a tree of reduce levels needs). It reads its standard
 * input, or with --file the same outputs as the file /input/outputs.
 *
 *   app [--file]
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    FILE *in = stdin;
    if (argc > 1 && strcmp(argv[1], "--file") == 0) {
        in = fopen("/input/outputs", "r");
        if (!in) {
            fprintf(stderr, "sum: cannot open /input/outputs\n");
            return 2;
        }
    } else if (argc > 1) {
        fprintf(stderr, "usage: sum [--file]\n");
        return 2;
    }
    long long sum = 0, n;
    int read;
    while ((read = fscanf(in, "%lld", &n)) == 1) {
        sum += n;
    }
    if (read != EOF) {
        fprintf(stderr, "sum: the input holds something other than integers\n");
        return 2;
    }
    printf("%lld\n", sum);
    return 0;
}
