#include "core/counters.h"
#include "core/dprint.h"

#include "../module/c_api/core_api.h"
#include "counters.h"

static counter_val_t read_core_counter(counter_handle_t h, void *param)
{
	const char *name;
	uint64_t value = 0;

	if(secsetup_counter((unsigned)(unsigned long)param, &name, &value)
			!= SECSETUP_OK)
		return 0;
	return (counter_val_t)value;
}

int secsetup_counters_register(void)
{
	counter_handle_t h;
	const char *name;
	uint64_t value;
	unsigned i;

	/* The core owns the list and its names: one statistic per entry. */
	for(i = 0; secsetup_counter(i, &name, &value) == SECSETUP_OK; i++) {
		if(counter_register(&h, "secsetup", name, 0, read_core_counter,
				   (void *)(unsigned long)i, "secsetup core counter", 0)
				< 0) {
			LM_ERR("cannot register counter %s\n", name);
			return -1;
		}
	}
	return 0;
}
