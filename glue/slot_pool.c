#include <stdint.h>
#include <string.h>

#include "core/mem/shm_mem.h"

#include "slot_pool.h"

/* head: (tag << 32) | (first free slot + 1), 0 in the low half when none is free. The tag
 * changes on every successful take and give, so that a take which read an old head cannot
 * succeed after the same slot went out and came back meanwhile (ABA). */
struct secsetup_slot_pool
{
	uint64_t head;
	uint64_t in_use;      /* slots taken now */
	uint64_t empty_takes; /* takes that found every slot taken */
	unsigned count;
	size_t slot_size;
	uint32_t *next; /* per slot: the next free slot + 1, 0 for none */
	char *slots;
};

secsetup_slot_pool_t *secsetup_slot_pool_create(unsigned count, size_t slot_size)
{
	secsetup_slot_pool_t *p;
	size_t size = (slot_size + 63) & ~(size_t)63; /* each slot its own cache lines */
	unsigned i;

	if(count == 0)
		return NULL;
	p = shm_malloc(sizeof(*p) + count * sizeof(uint32_t) + 63 + (size_t)count * size);
	if(p == NULL)
		return NULL;
	p->count = count;
	p->slot_size = size;
	p->next = (uint32_t *)(p + 1);
	p->slots = (char *)(((uintptr_t)(p->next + count) + 63) & ~(uintptr_t)63);
	memset(p->slots, 0, (size_t)count * size);
	for(i = 0; i < count; i++)
		p->next[i] = i + 1 < count ? i + 2 : 0;
	p->head = 1; /* slot 0 first, tag 0 */
	p->in_use = 0;
	p->empty_takes = 0;
	return p;
}

void secsetup_slot_pool_destroy(secsetup_slot_pool_t *pool)
{
	if(pool != NULL)
		shm_free(pool);
}

void *secsetup_slot_pool_slot(secsetup_slot_pool_t *pool, unsigned index)
{
	return pool->slots + (size_t)index * pool->slot_size;
}

int secsetup_slot_pool_take(secsetup_slot_pool_t *pool, unsigned *index)
{
	uint64_t old = __atomic_load_n(&pool->head, __ATOMIC_ACQUIRE);
	uint64_t new;
	uint32_t first;

	do {
		first = (uint32_t)old;
		if(first == 0) {
			__atomic_add_fetch(&pool->empty_takes, 1, __ATOMIC_RELAXED);
			return -1;
		}
		new = ((old >> 32) + 1) << 32
			  | __atomic_load_n(&pool->next[first - 1], __ATOMIC_RELAXED);
	} while(!__atomic_compare_exchange_n(&pool->head, &old, new, 1,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	*index = first - 1;
	__atomic_add_fetch(&pool->in_use, 1, __ATOMIC_RELAXED);
	return 0;
}

void secsetup_slot_pool_give(secsetup_slot_pool_t *pool, unsigned index)
{
	uint64_t old = __atomic_load_n(&pool->head, __ATOMIC_RELAXED);
	uint64_t new;

	__atomic_sub_fetch(&pool->in_use, 1, __ATOMIC_RELAXED);
	do {
		__atomic_store_n(&pool->next[index], (uint32_t)old, __ATOMIC_RELAXED);
		new = ((old >> 32) + 1) << 32 | (uint64_t)(index + 1);
	} while(!__atomic_compare_exchange_n(&pool->head, &old, new, 1,
			__ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

uint64_t secsetup_slot_pool_in_use(const secsetup_slot_pool_t *pool)
{
	return __atomic_load_n(&pool->in_use, __ATOMIC_RELAXED);
}

uint64_t secsetup_slot_pool_empty_takes(const secsetup_slot_pool_t *pool)
{
	return __atomic_load_n(&pool->empty_takes, __ATOMIC_RELAXED);
}
