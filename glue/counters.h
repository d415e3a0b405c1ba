#ifndef SECSETUP_COUNTERS_H
#define SECSETUP_COUNTERS_H

/* Registers the core's counters (shared memory, all workers) as Kamailio statistics in
 * group "secsetup": kamcmd stats.get_statistics secsetup: ... From mod_init, after the
 * store exists and before fork. */
int secsetup_counters_register(void);

#endif
