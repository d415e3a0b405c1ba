#ifndef SECSETUP_GLUE_PARAMS_H
#define SECSETUP_GLUE_PARAMS_H

#include "../module/c_api/core_api.h"

/* Module parameters as the operator set them in kamailio.cfg (docs/module.md). */
struct secsetup_glue_params_s
{
	int protected_port;
	int unprotected_port;
	char *access_ip;	  /* if set, only this local address is the access side */
	char *integrity_algs; /* preference order */
	char *cipher_algs;
	char *confidentiality;
	char *failure_mode;
	char *key_derivation;
	int key_rotate_bits;
	int spi_min;
	int spi_max;
	int registration_timer;
	int expiry_grace;
	int delete_grace;
	int retry_after;
	int max_negotiations_per_ue;
	int max_contacts;
	int lock_stripes;
	int owner_tag;
	int register_records; /* REGISTER records pooled for transactions in flight */
	char *report_uri; /* where UserAuthenticationFailure reports go (D.2.2) */
	char *event_callback; /* KEMI function run instead of event_route[secsetup:*] */
};

extern struct secsetup_glue_params_s secsetup_params;

/* Rejects values the module cannot run with; logs which one and why. */
int secsetup_params_check(void);
/* The core's view of the parameters. */
void secsetup_params_to_core(secsetup_params_t *out);

#endif
