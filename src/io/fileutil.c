/*
 * fileutil.c — see fileutil.h.
 */
#include "fileutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

status_t file_read_all(const char *path, char **buf, size_t *len, diag_t *d)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return IS_ERR_INPUT;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        fclose(f);
        diag_error(d, path, 0, 0, NULL, "out of memory reading the file");
        return IS_ERR_NOMEM;
    }
    for (;;) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n < cap) {
            if (ferror(f)) {
                diag_error(d, path, 0, 0, NULL, "read error: %s", strerror(errno));
                free(b);
                fclose(f);
                return IS_ERR_IO;
            }
            break;
        }
        if (cap >= ((size_t)1 << 30)) {
            diag_error(d, path, 0, 0, NULL, "file larger than 1 GiB: not a config or system file");
            free(b);
            fclose(f);
            return IS_ERR_INPUT;
        }
        cap *= 2;
        char *nb = realloc(b, cap + 1);
        if (!nb) {
            free(b);
            fclose(f);
            diag_error(d, path, 0, 0, NULL, "out of memory reading the file");
            return IS_ERR_NOMEM;
        }
        b = nb;
    }
    fclose(f);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return IS_OK;
}

void file_stem(const char *path, char *out, size_t cap)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    const char *dot = strrchr(s, '.');
    size_t n = dot && dot > s ? (size_t)(dot - s) : strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

status_t atomic_open(atomic_file_t *af, const char *path, diag_t *d)
{
    memset(af, 0, sizeof *af);
    if (strlen(path) + 16 >= sizeof af->tmp) {
        diag_error(d, path, 0, 0, NULL, "path too long");
        return IS_ERR_INPUT;
    }
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        diag_error(d, path, 0, 0, NULL, "cannot create a temporary file beside it: %s", strerror(errno));
        return IS_ERR_IO;
    }
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        close(fd);
        unlink(af->tmp);
        diag_error(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return IS_ERR_IO;
    }
    return IS_OK;
}

status_t atomic_commit(atomic_file_t *af, diag_t *d)
{
    int bad = ferror(af->fp);
    if (fflush(af->fp) != 0)
        bad = 1;
    int err = errno;
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    af->fp = NULL;
    if (bad) {
        unlink(af->tmp);
        diag_error(d, af->path, 0, 0, NULL, "write failed: %s", strerror(err));
        return IS_ERR_IO;
    }
    if (rename(af->tmp, af->path) != 0) {
        err = errno;
        unlink(af->tmp);
        diag_error(d, af->path, 0, 0, NULL, "cannot rename into place: %s", strerror(err));
        return IS_ERR_IO;
    }
    return IS_OK;
}

void atomic_abort(atomic_file_t *af)
{
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (af->tmp[0])
        unlink(af->tmp);
}
