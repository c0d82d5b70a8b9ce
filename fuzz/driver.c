/*
 * driver.c — runs a fuzz target without libFuzzer, over files: the ordinary test suite
 * (and its AddressSanitizer run) replays every seed and every crash ever found.
 *
 *   fuzz_NAME [FILE|DIR ...]   default: tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME
 *                              under $INFERSIM_DATA/..
 * Ends with a cmocka-style line, "[  PASSED  ] 1 test(s)." once every input ran.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static long n_inputs;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && (n == 0 || fread(buf, 1, (size_t)n, f) == (size_t)n)) {
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        n_inputs++;
    }
    free(buf);
    fclose(f);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        run_file(p);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_path(argv[i]);
    } else {
        const char *data = getenv("INFERSIM_DATA");
        char p[4096];
        snprintf(p, sizeof p, "%s/../tests/fuzz/corpus/%s", data ? data : "data", name);
        run_path(p);
        snprintf(p, sizeof p, "%s/../tests/fuzz/regressions/%s", data ? data : "data", name);
        run_path(p);
    }
    printf("%s: %ld inputs\n[  PASSED  ] 1 test(s).\n", name, n_inputs);
    return n_inputs > 0 ? 0 : 1;
}
