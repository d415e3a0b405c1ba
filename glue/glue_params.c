#include "core/dprint.h"

#include "glue_params.h"

struct secsetup_params_s secsetup_params = {
	.protected_port = 5060,
	.unprotected_port = 5062,
};

static int port_valid(int port)
{
	return port > 0 && port < 65536;
}

int secsetup_params_check(void)
{
	if(!port_valid(secsetup_params.protected_port)
			|| !port_valid(secsetup_params.unprotected_port)) {
		LM_ERR("protected_port and unprotected_port must be in 1..65535\n");
		return -1;
	}
	if(secsetup_params.protected_port == secsetup_params.unprotected_port) {
		LM_ERR("protected_port and unprotected_port must differ (both %d)\n",
				secsetup_params.protected_port);
		return -1;
	}
	return 0;
}
