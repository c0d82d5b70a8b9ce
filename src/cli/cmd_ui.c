/*
 * cmd_ui.c — `infersim ui`: the page and its JSON API (ui_api.h) served from infersim
 * itself with libmicrohttpd, on 127.0.0.1 unless --host says otherwise.  The page is
 * ui/index.html, embedded in the binary at build time (no CDN, no network: it works
 * offline).  One internal thread answers every request in turn, so the API's calls never
 * run concurrently.
 */
#include "cli.h"
#include "ui_api.h"

#include "../core/interrupt.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ui/index.html (the build embeds it: build/.../gen/ui_page.c) */
extern const unsigned char ui_page[];
extern const size_t ui_page_len;

typedef struct body {
    char *buf;
    size_t len, cap;
    int too_big;
} body_t;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, void *data, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* the page's own inline script and style, its API, nothing from elsewhere */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                            "connect-src 'self'; img-src 'self' data:");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)cls;
    (void)version;
    body_t *b = *state;
    if (!b) { /* first call of a request: only the headers so far */
        b = calloc(1, sizeof *b);
        if (!b)
            return MHD_NO;
        *state = b;
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        size_t n = *upload_size;
        *upload_size = 0;
        if (b->too_big || b->len + n > UI_API_MAX_BODY) {
            b->too_big = 1;
            return MHD_YES;
        }
        if (b->len + n + 1 > b->cap) {
            size_t cap = (b->len + n + 1) * 2;
            char *nb = realloc(b->buf, cap);
            if (!nb)
                return MHD_NO;
            b->buf = nb;
            b->cap = cap;
        }
        memcpy(b->buf + b->len, upload, n);
        b->len += n;
        b->buf[b->len] = '\0';
        return MHD_YES;
    }
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
            static char msg[] = "{\"error\": \"use GET\"}";
            return reply(c, 405, "application/json", msg, strlen(msg), MHD_RESPMEM_PERSISTENT);
        }
        return reply(c, 200, "text/html; charset=utf-8", (void *)ui_page, ui_page_len, MHD_RESPMEM_PERSISTENT);
    }
    char *out = NULL;
    int status = b->too_big ? ui_api(method, url, NULL, UI_API_MAX_BODY + 1, &out)
                            : ui_api(method, url, b->buf, b->len, &out);
    if (!out) {
        static char msg[] = "{\"error\": \"out of memory\"}";
        return reply(c, 500, "application/json", msg, strlen(msg), MHD_RESPMEM_PERSISTENT);
    }
    return reply(c, (unsigned)status, "application/json", out, strlen(out), MHD_RESPMEM_MUST_FREE);
}

static void done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    body_t *b = *state;
    if (b) {
        free(b->buf);
        free(b);
        *state = NULL;
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: infersim ui [--port N] [--host ADDRESS]\n"
               "\n"
               "Serves a page that predicts as you change the model, system, parallelism, precision and\n"
               "workload, and its JSON API (/api/models, /api/systems, /api/predict, /api/sweep,\n"
               "/api/search), from\n"
               "infersim itself.  Everything is in the binary: it works offline.  Ctrl-C stops it.\n"
               "\n"
               "  --port N         TCP port (default 8080; 0: any free port, printed)\n"
               "  --host ADDRESS   IPv4 address to listen on (default 127.0.0.1: this machine only)\n");
}

int cmd_ui(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'}, {"host", required_argument, 0, 'H'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    diag_t d;
    diag_clear(&d);
    int port = 8080, c;
    const char *host = "127.0.0.1";
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (cli_int("--port", optarg, 0, &port, &d) != IS_OK)
                return cli_fail(IS_ERR_INPUT, &d);
            if (port > 65535) {
                diag_error(&d, NULL, 0, 0, "--port", "expected a port from 0 to 65535, got %d", port);
                return cli_fail(IS_ERR_INPUT, &d);
            }
            break;
        case 'H': host = optarg; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option(opts, argv[optind - 1], "ui");
        }
    }
    if (optind < argc) {
        diag_error(&d, NULL, 0, 0, NULL, "unexpected argument \"%s\" (infersim ui --help)", argv[optind]);
        return cli_fail(IS_ERR_INPUT, &d);
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        diag_error(&d, NULL, 0, 0, "--host", "expected an IPv4 address such as 127.0.0.1, got \"%s\"", host);
        return cli_fail(IS_ERR_INPUT, &d);
    }
    if (strcmp(host, "127.0.0.1") != 0)
        fprintf(stderr, "infersim: warning: serving on %s: anyone who can reach this address can use it\n", host);
    interrupt_install();
    struct MHD_Daemon *dm =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handle, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                         MHD_OPTION_END);
    if (!dm) {
        diag_error(&d, NULL, 0, 0, "--port", "cannot listen on %s:%d (in use, or not allowed)", host, port);
        return cli_fail(IS_ERR_IO, &d);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(dm, MHD_DAEMON_INFO_BIND_PORT);
    int bound = info ? info->port : port;
    printf("infersim ui: open http://%s:%d/ (Ctrl-C stops it)\n", host, bound);
    fflush(stdout);
    while (!interrupt_requested()) {
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(dm);
    return EXIT_OK;
}
