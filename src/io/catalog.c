/*
 * catalog.c — preset lookup (see catalog.h).
 */
#include "catalog.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef INFERSIM_DATADIR
#define INFERSIM_DATADIR "data"
#endif

static char data_dir[4096];

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void catalog_set_argv0(const char *argv0)
{
    (void)argv0;
    data_dir[0] = '\0';
}

const char *catalog_data_dir(void)
{
    if (data_dir[0])
        return data_dir;
    const char *env = getenv("INFERSIM_DATA");
    if (env && *env) {
        snprintf(data_dir, sizeof data_dir, "%s", env);
        return data_dir;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char cand[4096 + 16];
            /* the binary sits at the repository root; test binaries one or two folders below;
             * an installed one in PREFIX/bin, its presets in PREFIX/share/infersim/data */
            const char *rel[] = {"/data", "/../data", "/../../data", "/../share/infersim/data"};
            for (int i = 0; i < 4; i++) {
                snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
                if (is_dir(cand)) {
                    char real[PATH_MAX];
                    const char *use = realpath(cand, real) ? real : cand;
                    size_t l = strlen(use);
                    if (l >= sizeof data_dir)
                        continue;
                    memcpy(data_dir, use, l + 1);
                    return data_dir;
                }
            }
        }
    }
    snprintf(data_dir, sizeof data_dir, "%s", INFERSIM_DATADIR);
    return data_dir;
}

static const char *sub(catalog_kind_t k) { return k == CATALOG_MODELS ? "models" : k == CATALOG_SYSTEMS ? "systems" : "sites"; }
static const char *ext(catalog_kind_t k) { return k == CATALOG_MODELS ? ".json" : ".yaml"; }
static const char *what(catalog_kind_t k) { return k == CATALOG_MODELS ? "model" : k == CATALOG_SYSTEMS ? "system" : "site"; }

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int catalog_list(catalog_kind_t kind, char names[][CATALOG_NAME], int max)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", catalog_data_dir(), sub(kind));
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dh)) && n < max) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ext(kind)))
            continue;
        size_t l = strlen(e->d_name) - strlen(ext(kind));
        if (l >= CATALOG_NAME)
            continue;
        memcpy(names[n], e->d_name, l);
        names[n][l] = '\0';
        n++;
    }
    closedir(dh);
    qsort(names, (size_t)n, CATALOG_NAME, cmp_names);
    return n;
}

status_t catalog_resolve(catalog_kind_t kind, const char *name, char *path, size_t cap, diag_t *d)
{
    const char *flag = kind == CATALOG_MODELS ? "--model" : kind == CATALOG_SYSTEMS ? "--system" : "--site";
    if (!name || !*name)
        return diag_error(d, NULL, 0, 0, flag, "expected a preset name or a file path");
    if (strchr(name, '/') || ends_with(name, ".json") || ends_with(name, ".yaml") || ends_with(name, ".yml")) {
        if (access(name, R_OK) != 0)
            return diag_error(d, name, 0, 0, flag, "cannot read the file");
        snprintf(path, cap, "%s", name);
        return IS_OK;
    }
    snprintf(path, cap, "%s/%s/%s%s", catalog_data_dir(), sub(kind), name, ext(kind));
    if (access(path, R_OK) == 0)
        return IS_OK;
    char names[CATALOG_MAX][CATALOG_NAME];
    int n = catalog_list(kind, names, CATALOG_MAX);
    const char *ptrs[CATALOG_MAX];
    for (int i = 0; i < n; i++)
        ptrs[i] = names[i];
    const char *near = diag_near_match(name, ptrs, n);
    if (near)
        return diag_error(d, NULL, 0, 0, flag, "unknown %s \"%s\"; did you mean \"%s\"? (`infersim %s` lists them)",
                          what(kind), name, near, sub(kind));
    return diag_error(d, NULL, 0, 0, flag, "unknown %s \"%s\" (`infersim %s` lists the presets; a path to a %s file works too)",
                      what(kind), name, sub(kind),
                      kind == CATALOG_MODELS ? "config.json" : kind == CATALOG_SYSTEMS ? "system .yaml" : "site .yaml");
}
