#include <errno.h>

#include "core/dprint.h"

#include "../module/c_api/core_api.h"
#include "glue_params.h"
#include "kernel_proc.h"

static secsetup_kernel_t *process_kernel = NULL;
/* Held open for the life of the instance; forked children inherit it (close-on-exec). */
static int owner_claim_fd = -1;

static secsetup_kernel_t *open_backend(void)
{
	secsetup_xfrm_config_t cfg;
	secsetup_kernel_t *k;
	int err = 0;

	cfg.owner_tag = (uint32_t)secsetup_params.owner_tag;
	cfg.spi_min = (uint32_t)secsetup_params.spi_min;
	cfg.spi_max = (uint32_t)secsetup_params.spi_max;
	k = secsetup_xfrm_open(&cfg, &err);
	if(k == NULL)
		LM_ERR("cannot open the XFRM netlink socket: %s\n",
				secsetup_xfrm_strerror(err));
	return k;
}

secsetup_kernel_t *secsetup_kernel(void)
{
	return process_kernel;
}

int secsetup_kernel_child_init(void)
{
	int rc;

	process_kernel = open_backend();
	if(process_kernel == NULL)
		return -1;
	rc = secsetup_core_child_init(process_kernel);
	if(rc != SECSETUP_OK) {
		LM_ERR("core child init failed: %s\n", secsetup_status_str(rc));
		return -1;
	}
	return 0;
}

int secsetup_kernel_claim_owner_tag(void)
{
	unsigned tag = (unsigned)secsetup_params.owner_tag;
	int err = 0;

	owner_claim_fd = secsetup_xfrm_claim_owner_tag(tag, &err);
	if(owner_claim_fd >= 0)
		return 0;
	if(err == EADDRINUSE)
		LM_ERR("owner_tag 0x%x is held by another secsetup instance in this "
			   "network namespace: starting would remove its SAs and policies; "
			   "give each instance its own modparam(\"secsetup\", "
			   "\"owner_tag\", ...)\n",
				tag);
	else
		LM_ERR("cannot claim owner_tag 0x%x: %s\n", tag,
				secsetup_xfrm_strerror(err));
	return -1;
}

int secsetup_kernel_cleanup(const char *when)
{
	secsetup_kernel_t *k = open_backend();
	int owned, rc;

	if(k == NULL)
		return -1;
	if(secsetup_xfrm_has_esp(k) != 1)
		LM_WARN("this kernel cannot hold ESP SAs: registrations will get 500\n");
	owned = secsetup_xfrm_count_owned(k);
	rc = secsetup_xfrm_flush_owned(k);
	if(rc < 0)
		LM_ERR("%s: cannot remove this module's kernel objects: %s\n", when,
				secsetup_xfrm_strerror(rc));
	else if(owned > 0)
		LM_INFO("%s: removed %d SAs (and their policies) tagged 0x%x\n", when,
				owned, (unsigned)secsetup_params.owner_tag);
	secsetup_xfrm_close(k);
	return rc < 0 ? -1 : 0;
}
