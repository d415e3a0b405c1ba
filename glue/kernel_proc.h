#ifndef SECSETUP_KERNEL_PROC_H
#define SECSETUP_KERNEL_PROC_H

#include "../kernel_ipsec/xfrm_c_api.h"

/* This process's XFRM backend (each Kamailio process opens its own after fork). */
secsetup_kernel_t *secsetup_kernel(void);

/* Opens the backend of this process and hands it to the core; from child_init. */
int secsetup_kernel_child_init(void);

/* Claims owner_tag in this network namespace for the instance's lifetime; refuses (logs
 * which parameter and why) when another instance holds it. From mod_init, before the first
 * secsetup_kernel_cleanup. */
int secsetup_kernel_claim_owner_tag(void);

/* Removes what an earlier run left behind (mod_init) or this run's own objects (at a clean
 * stop), through a short-lived backend of the calling process. Logs what it did. */
int secsetup_kernel_cleanup(const char *when);

#endif
