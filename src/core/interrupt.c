/*
 * interrupt.c — see interrupt.h.
 */
#include "interrupt.h"

#include <string.h>
#include <time.h>

volatile sig_atomic_t interrupt_flag;
static volatile time_t first_s;

static void on_signal(int sig)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
    if (interrupt_flag && ts.tv_sec - first_s >= 1) {
        /* asked again a second later: stop at once, with the shell's status for the signal
         * (one signal delivered twice at once, to the process and its group, is one request) */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    if (!interrupt_flag)
        first_s = ts.tv_sec;
    interrupt_flag = 1;
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
