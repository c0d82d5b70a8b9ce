/*
 * interrupt.h — stopping a long run when the user asks (Ctrl-C, SIGTERM): the CLI
 * installs the handler; long loops (search's workers, serve's event loop) poll the flag
 * and return IS_INTERRUPTED with how far they got.  Nothing is written after an
 * interruption: outputs are renamed into place only after a whole run.
 */
#ifndef INFERSIM_INTERRUPT_H
#define INFERSIM_INTERRUPT_H

#include <signal.h>

extern volatile sig_atomic_t interrupt_flag;

/* Catch SIGINT and SIGTERM: the first sets the flag; another a second or more later ends the
 * process at once. */
void interrupt_install(void);

static inline int interrupt_requested(void)
{
    return interrupt_flag != 0;
}

#endif
