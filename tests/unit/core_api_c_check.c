/* Compiled as C: the boundary header must stay valid C for the Kamailio glue. */
#include "module/c_api/core_api.h"

int secsetup_c_header_check(void)
{
	secsetup_params_t p;
	secsetup_params_default(&p);
	return (int)p.protected_port;
}
