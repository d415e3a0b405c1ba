/* Event routes: event_route[secsetup:established|failed|auth-timeout], or the KEMI
 * event_callback, run in the calling worker on a faked message; $secsetup(name) reads what
 * happened while the route runs. */

#include <string.h>

#include "core/action.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/route.h"
#include "core/pvar.h"
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

/* The event being raised in this process, read by $secsetup(name); NULL outside. */
static const secsetup_event_data_t *current_event;

enum event_field
{
	FIELD_EVENT,
	FIELD_UE,
	FIELD_PORT,
	FIELD_CALL_ID,
	FIELD_IMPU,
	FIELD_REASON,
	FIELD_SPI_P,
	FIELD_SPI_U,
	FIELD_COUNT
};
static const char *field_names[FIELD_COUNT] = {"event", "ue", "port", "call_id",
		"impu", "reason", "spi_p", "spi_u"};

int secsetup_pv_parse_name(pv_spec_t *sp, str *in)
{
	int i;

	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	for(i = 0; i < FIELD_COUNT; i++) {
		if(strlen(field_names[i]) == (size_t)in->len
				&& strncmp(field_names[i], in->s, in->len) == 0) {
			sp->pvp.pvn.type = PV_NAME_INTSTR;
			sp->pvp.pvn.u.isname.type = 0;
			sp->pvp.pvn.u.isname.name.n = i;
			return 0;
		}
	}
	LM_ERR("unknown $secsetup(%.*s): known are event, ue, port, call_id, impu, "
		   "reason, spi_p, spi_u\n",
			in->len, in->s);
	return -1;
}

static int text_value(sip_msg_t *msg, pv_param_t *param, pv_value_t *res,
		secsetup_str_t v)
{
	str s;

	if(v.s == NULL)
		return pv_get_null(msg, param, res);
	s.s = (char *)v.s;
	s.len = (int)v.len;
	return pv_get_strval(msg, param, res, &s);
}

/* Reads the event straight from the caller's data: nothing is copied or allocated. */
int secsetup_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	const secsetup_event_data_t *e = current_event;

	if(e == NULL || param == NULL)
		return pv_get_null(msg, param, res);
	switch(param->pvn.u.isname.name.n) {
		case FIELD_EVENT:
			return text_value(msg, param, res, secsetup_text(event_names[e->event]));
		case FIELD_UE:
			return text_value(msg, param, res, e->ue);
		case FIELD_PORT:
			return pv_get_uintval(msg, param, res, e->port);
		case FIELD_CALL_ID:
			return text_value(msg, param, res, e->call_id);
		case FIELD_IMPU:
			return text_value(msg, param, res, e->impu);
		case FIELD_REASON:
			return text_value(msg, param, res, e->reason);
		case FIELD_SPI_P:
			return pv_get_uintval(msg, param, res, e->spi_p);
		case FIELD_SPI_U:
			return pv_get_uintval(msg, param, res, e->spi_u);
		default:
			return pv_get_null(msg, param, res);
	}
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
	const secsetup_event_data_t *previous;
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
	/* The route sees no xavp of the request or transaction it came from, and what it
	 * adds goes with it. */
	backup_list = xavp_set_list(&list);
	previous = current_event;
	current_event = e;
	run_event(rt, keng, event_routes[e->event]);
	current_event = previous;
	xavp_destroy_list(&list);
	xavp_set_list(backup_list);
}
