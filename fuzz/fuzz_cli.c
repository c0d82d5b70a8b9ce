/* fuzz_cli.c — the command line: any argument vector (the input split at newlines) gets a
 * result or a clear error from `predict` and `show`, never a crash. */
#include "fuzzutil.h"
#include "../src/cli/cli.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int null_fd = -1, out_fd, err_fd;
    if (null_fd < 0) {
        null_fd = open("/dev/null", O_WRONLY);
        out_fd = dup(1);
        err_fd = dup(2);
        if (null_fd < 0 || out_fd < 0 || err_fd < 0)
            return 0;
    }
    if (size > 4096)
        return 0;
    static char buf[4097];
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[64];
    int argc = 0;
    argv[argc++] = "predict";
    for (char *p = buf, *nl; argc < 63 && p <= buf + size; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = buf + size;
        *nl = '\0';
        argv[argc++] = p;
    }
    argv[argc] = NULL;
    /* the commands print; their output goes nowhere, and the descriptors come back after */
    fflush(stdout);
    fflush(stderr);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    if (argc > 1 && !strcmp(argv[1], "show"))
        cmd_show(argc - 1, argv + 1);
    else
        cmd_predict(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    return 0;
}
