#ifndef SECSETUP_SLOT_POOL_H
#define SECSETUP_SLOT_POOL_H
/* A fixed set of equal slots in shared memory, taken and given back from any process without
 * a lock (a tagged stack of free slot numbers). For state that lives only while a REGISTER
 * transaction waits for its final reply: shm_malloc would take Kamailio's one shared-memory
 * lock twice per REGISTER (contended by every worker under load) and hand out memory no
 * worker has touched yet, where a slot just given back is still warm. */
#include <stddef.h>
#include <stdint.h>

typedef struct secsetup_slot_pool secsetup_slot_pool_t;

/* In mod_init (before the fork): count slots of slot_size bytes, zeroed; NULL without memory. */
secsetup_slot_pool_t *secsetup_slot_pool_create(unsigned count, size_t slot_size);
void secsetup_slot_pool_destroy(secsetup_slot_pool_t *pool);
void *secsetup_slot_pool_slot(secsetup_slot_pool_t *pool, unsigned index);
/* 0 and *index set, or -1 when every slot is taken. */
int secsetup_slot_pool_take(secsetup_slot_pool_t *pool, unsigned *index);
void secsetup_slot_pool_give(secsetup_slot_pool_t *pool, unsigned index);
/* For the operator: slots taken now, and takes so far that found none free. */
uint64_t secsetup_slot_pool_in_use(const secsetup_slot_pool_t *pool);
uint64_t secsetup_slot_pool_empty_takes(const secsetup_slot_pool_t *pool);

#endif
