#include <string.h>

#include "core/dprint.h"
#include "core/mod_fix.h"

#include "../module/c_api/core_api.h"
#include "cfg_functions.h"
#include "action_log.h"
#include "events.h"
#include "msg_edit.h"
#include "msg_facts.h"
#include "secsetup_clock.h"
#include "tm_hooks.h"

/* Rare: cold keeps it out of the request path's code (see module/negotiation/engine.h). */
static __attribute__((cold)) int internal_error(sip_msg_t *msg, const char *why)
{
	secsetup_actions_t a;

	secsetup_internal_error_actions(&a, why);
	secsetup_send_reply(msg, &a);
	return -1;
}

/* After the request was answered or edited: what the core says happened. */
static void raise_request_event(
		const secsetup_req_facts_t *f, const secsetup_actions_t *a)
{
	secsetup_event_data_t e;
	char ue[IP_ADDR_MAX_STR_SIZE];

	if(a->event == SECSETUP_EVENT_NONE)
		return;
	memset(&e, 0, sizeof(e));
	e.event = a->event;
	secsetup_ip_text(f->src, ue);
	e.ue.s = ue;
	e.ue.len = strlen(ue);
	e.port = a->event_port != 0 ? a->event_port : f->req.src_port;
	e.call_id = f->req.call_id;
	e.impu = f->req.impu;
	e.reason.s = a->event_reason;
	e.reason.len = strlen(a->event_reason);
	e.spi_p = a->event_spi_p;
	e.spi_u = a->event_spi_u;
	secsetup_event_raise(&e);
}

int ki_secsetup_check(sip_msg_t *msg)
{
	secsetup_req_facts_t f;
	secsetup_actions_t a;
	int rc;

	if(msg->first_line.type != SIP_REQUEST)
		return 1;
	/* A REGISTER's retransmission is caught by t_newtran below, which must run anyway: a
	 * separate lookup first would cost each REGISTER a second search of tm's table. */
	if(msg->first_line.u.request.method_value != METHOD_REGISTER
			&& secsetup_is_retransmission(msg))
		return 0;
	if(secsetup_request_facts(msg, &f) < 0)
		return 0; /* not a request anyone can answer: dropped */
	/* Every request goes to the core, the core side's too: a REGISTER relayed from any
	 * socket has its transaction followed, since the S-CSCF's keys must not leave in the
	 * reply whoever asked (issue 14); the core leaves the request itself alone there. */
	if(f.req.is_register) {
		rc = secsetup_own_transaction(msg);
		if(rc <= 0)
			return rc;
	}
	rc = secsetup_on_request(&f.req, secsetup_now(), &a);
	if(rc != SECSETUP_OK) {
		LM_ERR("core failed on a request from %s:%u: %s\n", ip_addr2a(f.src),
				f.req.src_port, secsetup_status_str(rc));
		return internal_error(msg, "security set-up failed");
	}
	secsetup_log_actions(&a);
	switch(a.verdict) {
		case SECSETUP_DROP:
			if(f.req.is_register)
				secsetup_drop_transaction(msg);
			return 0;
		case SECSETUP_REPLY:
			if(secsetup_send_reply(msg, &a) < 0)
				LM_ERR("cannot answer %d to %s:%u\n", a.reply_code, ip_addr2a(f.src),
						f.req.src_port);
			raise_request_event(&f, &a);
			return 0;
		default:
			break;
	}
	if(secsetup_apply_to_request(msg, &a) < 0)
		return internal_error(msg, "cannot edit the request");
	if(f.req.is_register && secsetup_follow_register(msg, &f, a.failure) < 0)
		return internal_error(msg, "cannot follow the transaction");
	raise_request_event(&f, &a);
	return 1;
}

int w_secsetup_check(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_secsetup_check(msg);
}

/* clang-format off */
sr_kemi_t secsetup_kemi_exports[] = {
	{ str_init("secsetup"), str_init("check"),
		SR_KEMIP_INT, ki_secsetup_check,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */
