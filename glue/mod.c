/*
 * secsetup: IMS security mode set-up (TS 33.203 Security-setup) for a P-CSCF.
 *
 * Module exports and the order of initialisation only; everything else lives in its own
 * file and reaches the protocol core through ../module/c_api/core_api.h.
 */

#include "core/dprint.h"
#include "core/kemi.h"
#include "core/rpc_lookup.h"
#include "core/sr_module.h"

#include "../module/c_api/core_api.h"
#include "cfg_functions.h"
#include "counters.h"
#include "events.h"
#include "glue_params.h"
#include "kernel_proc.h"
#include "msg_edit.h"
#include "msg_facts.h"
#include "rpc.h"
#include "shm_store.h"
#include "timer_proc.h"
#include "tm_hooks.h"

MODULE_VERSION

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);

static int store_ready = 0;

/* clang-format off */
static cmd_export_t cmds[] = {
	{"secsetup_check", (cmd_function)w_secsetup_check, 0, 0, 0, REQUEST_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"protected_port", PARAM_INT, &secsetup_params.protected_port},
	{"unprotected_port", PARAM_INT, &secsetup_params.unprotected_port},
	{"access_ip", PARAM_STRING, &secsetup_params.access_ip},
	{"integrity_algs", PARAM_STRING, &secsetup_params.integrity_algs},
	{"cipher_algs", PARAM_STRING, &secsetup_params.cipher_algs},
	{"confidentiality", PARAM_STRING, &secsetup_params.confidentiality},
	{"failure_mode", PARAM_STRING, &secsetup_params.failure_mode},
	{"key_derivation", PARAM_STRING, &secsetup_params.key_derivation},
	{"key_rotate_bits", PARAM_INT, &secsetup_params.key_rotate_bits},
	{"spi_min", PARAM_INT, &secsetup_params.spi_min},
	{"spi_max", PARAM_INT, &secsetup_params.spi_max},
	{"registration_timer", PARAM_INT, &secsetup_params.registration_timer},
	{"expiry_grace", PARAM_INT, &secsetup_params.expiry_grace},
	{"delete_grace", PARAM_INT, &secsetup_params.delete_grace},
	{"retry_after", PARAM_INT, &secsetup_params.retry_after},
	{"max_negotiations_per_ue", PARAM_INT,
			&secsetup_params.max_negotiations_per_ue},
	{"max_contacts", PARAM_INT, &secsetup_params.max_contacts},
	{"lock_stripes", PARAM_INT, &secsetup_params.lock_stripes},
	{"owner_tag", PARAM_INT, &secsetup_params.owner_tag},
	{"register_records", PARAM_INT, &secsetup_params.register_records},
	{"report_uri", PARAM_STRING, &secsetup_params.report_uri},
	{"event_callback", PARAM_STRING, &secsetup_params.event_callback},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"secsetup", sizeof("secsetup") - 1}, PVT_OTHER, secsetup_pv_get, 0,
		secsetup_pv_parse_name, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

struct module_exports exports = {
	"secsetup",		 /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,			 /* cfg functions */
	params,			 /* parameters */
	0,				 /* RPC methods (registered in mod_init) */
	mod_pvs,		 /* pseudo-variables: $secsetup(...) in event routes */
	0,				 /* response handling */
	mod_init,		 /* module init */
	child_init,		 /* per-child init */
	mod_destroy		 /* destroy */
};
/* clang-format on */

static int mod_init(void)
{
	/* Before anything that mod_destroy undoes: a refused instance flushes nothing. */
	if(secsetup_params_check() < 0 || secsetup_kernel_claim_owner_tag() < 0)
		return -1;
	if(secsetup_tm_init() < 0 || secsetup_msg_edit_init() < 0
			|| secsetup_msg_facts_init() < 0 || secsetup_events_init() < 0)
		return -1;
	if(rpc_register_array(secsetup_rpc_cmds) != 0) {
		LM_ERR("cannot register the RPC commands\n");
		return -1;
	}
	if(secsetup_store_init() < 0)
		return -1;
	store_ready = 1;
	if(secsetup_follow_pool_init() < 0)
		return -1;
	if(secsetup_counters_register() < 0 || secsetup_timer_register() < 0)
		return -1;
	/* A previous run may have been killed: its SAs would strand traffic. */
	if(secsetup_kernel_cleanup("start") < 0)
		return -1;
	LM_INFO("secsetup loaded: protected port %d, unprotected port %d\n",
			secsetup_params.protected_port, secsetup_params.unprotected_port);
	return 0;
}

static int child_init(int rank)
{
	if(rank == PROC_INIT)
		return 0;
	if(rank == PROC_MAIN)
		return secsetup_timer_fork();
	return secsetup_kernel_child_init();
}

static void mod_destroy(void)
{
	if(!store_ready)
		return;
	secsetup_kernel_cleanup("stop");
	secsetup_follow_pool_destroy();
	secsetup_store_destroy();
	store_ready = 0;
}

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(secsetup_kemi_exports);
	return 0;
}
