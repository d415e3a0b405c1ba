#ifndef SECSETUP_GLUE_PARAMS_H
#define SECSETUP_GLUE_PARAMS_H

/* Module parameters as the operator set them in kamailio.cfg. */
struct secsetup_params_s
{
	int protected_port;
	int unprotected_port;
};

extern struct secsetup_params_s secsetup_params;

/* Rejects values the module cannot run with; logs which one and why. */
int secsetup_params_check(void);

#endif
