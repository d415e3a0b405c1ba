#ifndef SECSETUP_TIMER_PROC_H
#define SECSETUP_TIMER_PROC_H

/* Registers (mod_init) and forks (child_init of PROC_MAIN) the module's timer process:
 * registration timers, expiries, D.2.2 reports and the kernel's expire notices. */
int secsetup_timer_register(void);
int secsetup_timer_fork(void);

#endif
