/*
 * The command line's test module: shows what `starling app run` gives a module, and ends as asked.
 *
 *   app [WORD...]     prints its arguments, its standard input, each file under /input with its content and a random
 *                     number (from the seed); writes /output/words.txt and a line to standard error
 *   app exit N        exits with code N after a line on standard error
 *   app grow MIB      allocates MIB mebibytes and touches them
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void print_file(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return;
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    printf("input %s: %zu bytes: %s\n", name, n, buf);
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "exit")) {
        fprintf(stderr, "exiting with %s as asked\n", argv[2]);
        return atoi(argv[2]);
    }
    if (argc > 2 && !strcmp(argv[1], "grow")) {
        size_t bytes = (size_t) atoi(argv[2]) << 20;
        volatile char *p = malloc(bytes); /* volatile: clang would drop an allocation nothing reads */
        if (!p) {
            fprintf(stderr, "malloc of %s MiB failed\n", argv[2]);
            return 1;
        }
        unsigned long sum = 0;
        for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
        for (size_t i = 0; i < bytes; i += 4096) sum += p[i];
        printf("grew %s MiB (%lu pages touched)\n", argv[2], sum);
        return 0;
    }
    printf("args:");
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    char in[1024];
    size_t n = fread(in, 1, sizeof in - 1, stdin);
    in[n] = 0;
    printf("stdin: %zu bytes: %s\n", n, in);
    DIR *dir = opendir("/input");
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (entry->d_name[0] != '.') print_file("/input", entry->d_name);
    }
    if (dir) closedir(dir);
    uint64_t r = 0;
    getentropy(&r, sizeof r);
    printf("random: %llu\n", (unsigned long long) r);
    FILE *out = fopen("/output/words.txt", "w");
    if (out) {
        fprintf(out, "%d words\n", argc - 1);
        fclose(out);
    }
    fprintf(stderr, "echo: done\n");
    return 0;
}
