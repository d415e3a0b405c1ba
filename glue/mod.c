/*
 * secsetup: IMS security mode set-up (TS 33.203 Security-setup) for a P-CSCF.
 *
 * Module exports only; cfg functions, hooks, RPC and counters live in their own files
 * and reach the protocol core through core_api.h.
 */

#include "core/sr_module.h"
#include "core/dprint.h"

#include "glue_params.h"

MODULE_VERSION

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);

static param_export_t params[] = {
	{"protected_port", PARAM_INT, &secsetup_params.protected_port},
	{"unprotected_port", PARAM_INT, &secsetup_params.unprotected_port},
	{0, 0, 0}
};

struct module_exports exports = {
	"secsetup",		 /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	0,				 /* cfg functions */
	params,			 /* parameters */
	0,				 /* RPC methods */
	0,				 /* pseudo-variables */
	0,				 /* response handling */
	mod_init,		 /* module init */
	child_init,		 /* per-child init */
	mod_destroy		 /* destroy */
};

static int mod_init(void)
{
	if(secsetup_params_check() < 0)
		return -1;
	LM_INFO("secsetup loaded: protected port %d, unprotected port %d\n",
			secsetup_params.protected_port, secsetup_params.unprotected_port);
	return 0;
}

static int child_init(int rank)
{
	return 0;
}

static void mod_destroy(void)
{
}
