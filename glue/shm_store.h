#ifndef SECSETUP_SHM_STORE_H
#define SECSETUP_SHM_STORE_H

/* Hands the core Kamailio's shared memory and a lock set, then builds the store in it.
 * Called from mod_init, before the workers fork. */
int secsetup_store_init(void);
void secsetup_store_destroy(void);

#endif
