#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "../module/c_api/core_api.h"
#include "glue_params.h"
#include "shm_store.h"

static gen_lock_set_t *store_locks = NULL;

static void *store_alloc(void *ctx, size_t bytes)
{
	return shm_malloc(bytes);
}

static void store_release(void *ctx, void *p)
{
	shm_free(p);
}

static void store_lock(void *ctx, unsigned index)
{
	lock_set_get(store_locks, index);
}

static void store_unlock(void *ctx, unsigned index)
{
	lock_set_release(store_locks, index);
}

int secsetup_store_init(void)
{
	secsetup_params_t params;
	secsetup_shm_ops_t shm = {store_alloc, store_release, NULL};
	secsetup_lock_ops_t locks;
	/* One lock per stripe plus one for the store's free list. */
	unsigned count = (unsigned)secsetup_params.lock_stripes + 1;
	int rc;

	store_locks = lock_set_alloc(count);
	if(store_locks == NULL || lock_set_init(store_locks) == NULL) {
		LM_ERR("cannot allocate %u locks\n", count);
		return -1;
	}
	locks.lock = store_lock;
	locks.unlock = store_unlock;
	locks.ctx = NULL;
	locks.count = count;
	secsetup_params_to_core(&params);
	rc = secsetup_core_init(&params, &shm, &locks);
	if(rc != SECSETUP_OK) {
		LM_ERR("core init failed: %s (check the module parameters)\n",
				secsetup_status_str(rc));
		return -1;
	}
	LM_INFO("contact store: %u contacts, %lu bytes of shared memory, %u "
			"stripes\n",
			params.max_contacts,
			(unsigned long)secsetup_core_shm_bytes(&params, count), count - 1);
	return 0;
}

void secsetup_store_destroy(void)
{
	secsetup_core_destroy();
	if(store_locks != NULL) {
		lock_set_destroy(store_locks);
		lock_set_dealloc(store_locks);
		store_locks = NULL;
	}
}
