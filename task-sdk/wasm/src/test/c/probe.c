/*
 * The sandbox's test module: each mode (argv[1]) tries one thing a module might do, allowed or not, and prints
 * what happened. SandboxEscapeTest and SandboxTest run it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "starling.h"

static void try_open(const char *path, const char *mode) {
    FILE *f = fopen(path, mode);
    if (!f) {
        printf("%s %s: refused (%s)\n", mode, path, strerror(errno));
        return;
    }
    if (mode[0] == 'r') {
        char buf[64] = {0};
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        printf("%s %s: read %zu bytes: %s\n", mode, path, n, buf);
    } else {
        fputs("written by the module\n", f);
        printf("%s %s: written\n", mode, path);
    }
    fclose(f);
}

static int depth(int n) {
    volatile char frame[256];
    frame[0] = (char) n;
    return n == 0 ? frame[0] : depth(n - 1) + frame[0];
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "escape")) {
        try_open("/etc/passwd", "r");
        try_open("../../../../etc/passwd", "r");
        try_open("/input/../../etc/passwd", "r");
        try_open("/proc/self/environ", "r");
        try_open("/../escaped.txt", "w");
        try_open("../escaped.txt", "w");
        printf("symlink to /etc/passwd: %d\n", symlink("/etc/passwd", "link1"));
        try_open("link1", "r");
        printf("symlink to ../..: %d\n", symlink("../..", "link2"));
        try_open("link2/etc/passwd", "r");
        return 0;
    }
    if (!strcmp(mode, "input")) {
        try_open("/input/a.dat", "r");
        try_open("/input/a.dat", "w");
        try_open("/input/a.dat", "r");
        return 0;
    }
    if (!strcmp(mode, "files")) {
        mkdir("dir", 0755);
        FILE *f = fopen("dir/b.txt", "w");
        fputs("bee", f);
        fclose(f);
        f = fopen("a.txt", "w");
        fputs("a", f);
        fclose(f);
        f = fopen("/output/result.txt", "w");
        fputs("result", f);
        fclose(f);
        mkdir("/output/sub", 0755);
        f = fopen("/output/sub/more.txt", "w");
        fputs("more", f);
        fclose(f);
        const char *dirs[] = {"/", "/input"};
        for (int d = 0; d < 2; d++) {
            DIR *dir = opendir(dirs[d]);
            printf("%s:", dirs[d]);
            for (struct dirent *e; dir && (e = readdir(dir));) printf(" %s", e->d_name);
            printf("\n");
            if (dir) closedir(dir);
        }
        struct stat st;
        if (stat("/input/a.dat", &st) == 0) {
            printf("a.dat: ino %llu size %lld mtime %lld\n", (unsigned long long) st.st_ino, (long long) st.st_size,
                   (long long) st.st_mtim.tv_sec);
        }
        return 0;
    }
    if (!strcmp(mode, "time")) {
        struct timespec a, b, m;
        clock_gettime(CLOCK_REALTIME, &a);
        clock_gettime(CLOCK_MONOTONIC, &m);
        struct timespec nap = {5, 0};
        nanosleep(&nap, NULL);
        clock_gettime(CLOCK_REALTIME, &b);
        unsigned char r[8];
        getentropy(r, sizeof r);
        printf("realtime %lld.%09ld monotonic %lld.%09ld after sleep %lld.%09ld random", (long long) a.tv_sec,
               a.tv_nsec, (long long) m.tv_sec, m.tv_nsec, (long long) b.tv_sec, b.tv_nsec);
        for (int i = 0; i < 8; i++) printf(" %02x", r[i]);
        printf(" rand %d\n", rand());
        return 0;
    }
    if (!strcmp(mode, "args")) {
        for (int i = 0; i < argc; i++) printf("[%s]", argv[i]);
        char buf[256];
        size_t n = fread(buf, 1, sizeof buf, stdin);
        printf(" stdin %zu: %.*s\n", n, (int) n, buf);
        return 0;
    }
    if (!strcmp(mode, "malloc")) {
        long mib = argc > 2 ? atol(argv[2]) : 2048;
        char *volatile p = malloc((size_t) mib << 20);
        if (!p) {
            fprintf(stderr, "malloc of %ld MiB failed\n", mib);
            return 3;
        }
        memset(p, 1, (size_t) mib << 20);
        printf("got %ld MiB, last byte %d\n", mib, p[((size_t) mib << 20) - 1]);
        return 0;
    }
    if (!strcmp(mode, "grow")) {
        printf("memory.grow(32768) = %ld\n", (long) __builtin_wasm_memory_grow(0, 32768));
        return 0;
    }
    if (!strcmp(mode, "recurse")) {
        printf("%d\n", depth(argc > 2 ? atoi(argv[2]) : 100000000));
        return 0;
    }
    if (!strcmp(mode, "loop")) {
        for (volatile unsigned i = 0;; i++) {
        }
    }
    if (!strcmp(mode, "flood")) {
        for (;;) puts("all work and no play");
    }
    if (!strcmp(mode, "scratch")) {
        FILE *f = fopen("big.bin", "w");
        static char block[65536];
        for (long i = 0;; i++) {
            if (fwrite(block, 1, sizeof block, f) != sizeof block || fflush(f) != 0) {
                printf("write failed after %ld blocks\n", i);
                return 4;
            }
        }
    }
    if (!strcmp(mode, "stderr")) {
        fputs("line one\n", stderr);
        fwrite("bad \xff\xfe utf-8 and a \0 NUL\n", 1, 25, stderr);
        fputs("last line\n", stderr);
        return 7;
    }
    if (!strcmp(mode, "outputs")) {
        const char *names[] = {"/output/b.txt", "/output/a.txt"};
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(names[i], "w");
            fputs(names[i] + 8, f);
            fclose(f);
        }
        puts("wrote two files");
        return 0;
    }
    if (!strcmp(mode, "count")) {
        /* counts to argv[2] in small steps, saving a checkpoint whenever one is due; with argv[3] "until-resumed",
           counts without end until it is stopped and started again from a checkpoint, then ends at once (a test of
           parking that no machine's speed can outrun) */
        long n = argc > 2 ? atol(argv[2]) : 1000, i = 0;
        int resumed = 0;
        FILE *f = fopen("/checkpoint/state", "r");
        if (f) {
            resumed = fscanf(f, "%ld", &i) == 1;
            fclose(f);
        }
        if (argc > 3 && !strcmp(argv[3], "until-resumed")) {
            n = resumed ? i : LONG_MAX;
        }
        long start = i;
        volatile unsigned long sink = 0;
        for (; i < n; i++) {
            for (unsigned j = 0; j < 10000; j++) sink += j;
            starling_progress((double) (i + 1) / (double) n);
            if (starling_checkpoint_due()) {
                f = fopen("/checkpoint/state", "w");
                fprintf(f, "%ld", i + 1);
                fclose(f);
                starling_checkpoint_done();
            }
        }
        printf("%s at %ld, counted to %ld\n", resumed ? "resumed" : "started", start, n);
        return 0;
    }
    if (!strcmp(mode, "trap")) {
        __builtin_trap();
    }
    fprintf(stderr, "unknown mode '%s'\n", mode);
    return 2;
}
