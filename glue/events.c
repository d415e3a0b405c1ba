/* Event routes: event_route[secsetup:established|failed|auth-timeout], or the KEMI
 * event_callback, run in the calling worker on a faked message, with what happened in the
 * xavp "secsetup" (a list of its own, gone when the route returns). */

#include <string.h>

#include "core/action.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/route.h"
#include "core/xavp.h"

#include "events.h"
#include "glue_params.h"

#define SECSETUP_EVENT_COUNT (SECSETUP_EVENT_AUTH_TIMEOUT + 1)

/* clang-format off */
static const char *event_names[SECSETUP_EVENT_COUNT] = {
	NULL, "established", "failed", "auth-timeout"
};
static const char *event_routes[SECSETUP_EVENT_COUNT] = {
	NULL, "secsetup:established", "secsetup:failed", "secsetup:auth-timeout"
};
/* clang-format on */

static int event_rt_index[SECSETUP_EVENT_COUNT] = {-1, -1, -1, -1};

static int has_callback(void)
{
	return secsetup_params.event_callback != NULL
		   && secsetup_params.event_callback[0] != '\0';
}

int secsetup_events_init(void)
{
	int i, rt;

	for(i = SECSETUP_EVENT_ESTABLISHED; i < SECSETUP_EVENT_COUNT; i++) {
		rt = route_lookup(&event_rt, (char *)event_routes[i]);
		event_rt_index[i] = (rt >= 0 && event_rt.rlist[rt] != NULL) ? rt : -1;
		if(event_rt_index[i] >= 0 && has_callback())
			LM_WARN("event_route[%s] is ignored: event_callback is set\n",
					event_routes[i]);
	}
	return 0;
}

static int add_str(sr_xavp_t **list, const char *name, secsetup_str_t v)
{
	str n;
	sr_xval_t val;

	if(v.s == NULL)
		return 0;
	n.s = (char *)name;
	n.len = strlen(name);
	memset(&val, 0, sizeof(val));
	val.type = SR_XTYPE_STR;
	val.v.s.s = (char *)v.s;
	val.v.s.len = (int)v.len;
	return xavp_add_value(&n, &val, list) != NULL ? 0 : -1;
}

static int add_num(sr_xavp_t **list, const char *name, long v)
{
	str n;
	sr_xval_t val;

	n.s = (char *)name;
	n.len = strlen(name);
	memset(&val, 0, sizeof(val));
	val.type = SR_XTYPE_LONG;
	val.v.l = v;
	return xavp_add_value(&n, &val, list) != NULL ? 0 : -1;
}

/* $xavp(secsetup=>...) in the current (private) list. Never key material. */
static int set_event_xavp(const secsetup_event_data_t *e)
{
	str root = str_init("secsetup");
	secsetup_str_t ev = {event_names[e->event], strlen(event_names[e->event])};
	sr_xavp_t *fields = NULL;
	sr_xval_t val;

	if(add_num(&fields, "spi_u", (long)e->spi_u) < 0
			|| add_num(&fields, "spi_p", (long)e->spi_p) < 0
			|| add_str(&fields, "reason", e->reason) < 0
			|| add_str(&fields, "impu", e->impu) < 0
			|| add_str(&fields, "call_id", e->call_id) < 0
			|| add_num(&fields, "port", (long)e->port) < 0
			|| add_str(&fields, "ue", e->ue) < 0
			|| add_str(&fields, "event", ev) < 0) {
		xavp_destroy_list(&fields);
		return -1;
	}
	memset(&val, 0, sizeof(val));
	val.type = SR_XTYPE_XAVP;
	val.v.xavp = fields;
	if(xavp_add_value(&root, &val, NULL) == NULL) {
		xavp_destroy_list(&fields);
		return -1;
	}
	return 0;
}

static void run_event(int rt, sr_kemi_eng_t *keng, const char *route)
{
	sip_msg_t *fmsg;
	run_act_ctx_t ctx;
	str cb, evname;
	int backup_rt;

	if(faked_msg_init() < 0) {
		LM_ERR("cannot build a faked message for event_route[%s]\n", route);
		return;
	}
	fmsg = faked_msg_next();
	backup_rt = get_route_type();
	set_route_type(REQUEST_ROUTE);
	init_run_actions_ctx(&ctx);
	if(rt >= 0) {
		run_top_route(event_rt.rlist[rt], fmsg, &ctx);
	} else {
		cb.s = secsetup_params.event_callback;
		cb.len = strlen(cb.s);
		evname.s = (char *)route;
		evname.len = strlen(route);
		if(sr_kemi_route(keng, fmsg, EVENT_ROUTE, &cb, &evname) < 0)
			LM_ERR("event callback %s failed for %s\n", cb.s, route);
	}
	set_route_type(backup_rt);
}

void secsetup_event_raise(const secsetup_event_data_t *e)
{
	sr_kemi_eng_t *keng = NULL;
	sr_xavp_t *list = NULL;
	sr_xavp_t **backup_list;
	int rt = -1;

	if(e == NULL || e->event <= SECSETUP_EVENT_NONE
			|| e->event >= SECSETUP_EVENT_COUNT)
		return;
	if(has_callback()) {
		keng = sr_kemi_eng_get();
		if(keng == NULL) {
			LM_DBG("event_callback set but no KEMI engine: %s not run\n",
					event_routes[e->event]);
			return;
		}
	} else {
		rt = event_rt_index[e->event];
		if(rt < 0)
			return; /* no event_route[...] in the cfg */
	}
	backup_list = xavp_set_list(&list);
	if(set_event_xavp(e) == 0)
		run_event(rt, keng, event_routes[e->event]);
	else
		LM_ERR("no memory for $xavp(secsetup): %s not run\n",
				event_routes[e->event]);
	xavp_destroy_list(&list);
	xavp_set_list(backup_list);
}
