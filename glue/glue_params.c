#include "core/dprint.h"

#include "glue_params.h"

struct secsetup_glue_params_s secsetup_params = {
	.protected_port = 5060,
	.unprotected_port = 5062,
	.key_rotate_bits = 64,
	.spi_min = 4096,
	.spi_max = 0x7fffffff,
	.registration_timer = 60,
	.expiry_grace = 30,
	.delete_grace = 2,
	.retry_after = 30,
	.max_negotiations_per_ue = 4,
	.max_contacts = 10000,
	.lock_stripes = 16,
	.owner_tag = 0x5ec5e7,
	.register_records = 1024,
};

static int port_valid(int port)
{
	return port > 0 && port < 65536;
}

int secsetup_params_check(void)
{
	struct secsetup_glue_params_s *p = &secsetup_params;

	if(!port_valid(p->protected_port) || !port_valid(p->unprotected_port)) {
		LM_ERR("protected_port and unprotected_port must be in 1..65535\n");
		return -1;
	}
	if(p->protected_port == p->unprotected_port) {
		LM_ERR("protected_port and unprotected_port must differ (both %d)\n",
				p->protected_port);
		return -1;
	}
	if(p->spi_min < 256 || p->spi_max < p->spi_min) {
		LM_ERR("spi_min must be >= 256 and spi_max >= spi_min (%d..%d)\n",
				p->spi_min, p->spi_max);
		return -1;
	}
	if(p->max_contacts <= 0 || p->lock_stripes <= 0 || p->lock_stripes > 1024) {
		LM_ERR("max_contacts must be > 0 and lock_stripes in 1..1024\n");
		return -1;
	}
	if(p->register_records <= 0 || p->register_records > 1000000) {
		LM_ERR("register_records must be in 1..1000000\n");
		return -1;
	}
	if(p->registration_timer <= 0 || p->expiry_grace < 0 || p->delete_grace < 0
			|| p->retry_after < 0 || p->max_negotiations_per_ue < 0
			|| p->key_rotate_bits < 0) {
		LM_ERR("timers, max_negotiations_per_ue and key_rotate_bits must not "
			   "be negative "
			   "(registration_timer > 0)\n");
		return -1;
	}
	if(p->owner_tag == 0) {
		LM_ERR("owner_tag must not be 0: it marks this module's kernel objects\n");
		return -1;
	}
	return 0;
}

void secsetup_params_to_core(secsetup_params_t *out)
{
	struct secsetup_glue_params_s *p = &secsetup_params;

	secsetup_params_default(out);
	out->integrity_algs = p->integrity_algs;
	out->cipher_algs = p->cipher_algs;
	out->confidentiality = p->confidentiality;
	out->failure_mode = p->failure_mode;
	out->key_derivation = p->key_derivation;
	out->key_rotate_bits = (unsigned)p->key_rotate_bits;
	out->protected_port = (unsigned)p->protected_port;
	out->unprotected_port = (unsigned)p->unprotected_port;
	out->spi_min = (uint32_t)p->spi_min;
	out->spi_max = (uint32_t)p->spi_max;
	out->registration_timer = (unsigned)p->registration_timer;
	out->expiry_grace = (unsigned)p->expiry_grace;
	out->delete_grace = (unsigned)p->delete_grace;
	out->retry_after = (unsigned)p->retry_after;
	out->max_negotiations_per_ue = (unsigned)p->max_negotiations_per_ue;
	out->max_contacts = (unsigned)p->max_contacts;
}
