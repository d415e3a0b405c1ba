#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"
#include "core/ut.h"

#include "../module/c_api/core_api.h"
#include "action_log.h"
#include "events.h"
#include "glue_params.h"
#include "msg_edit.h"
#include "msg_facts.h"
#include "secsetup_clock.h"
#include "slot_pool.h"
#include "tm_hooks.h"

struct tm_binds secsetup_tmb;
static tm_xapi_t secsetup_xtmb;

/* What the reply callback needs of the REGISTER it follows. The upstream may send its final
 * reply more than once, and tm runs the callback for each copy in whichever worker gets it,
 * concurrently, then relays the copy that reaches its reply lock first. So the first copy
 * asks the core and records the edits; every other copy waits for that and gets the same
 * edits: whichever copy tm relays, the UE sees the same SM4 or SM8.
 *
 * The record is a slot of a pool (slot_pool.h) given back once the final reply has left
 * (TMCB_RESPONSE_OUT), or when the transaction ends without one; tm holds the slot's number
 * and generation, so that a copy that comes after the slot went back (tm discards it: a
 * final reply has been relayed) finds out and leaves it alone. With every slot taken, the
 * record comes from shm_malloc and lives until the transaction ends, as before the pool. */
typedef struct followed_register
{
	gen_lock_t lock;
	uint32_t generation; /* pool slots: changes each time the slot goes back */
	struct ip_addr src_ip; /* the UE's, as it sent the REGISTER */
	unsigned short src_port;
	int path;      /* enum secsetup_path the REGISTER arrived on */
	uint32_t cseq; /* its CSeq number: a reply's is the same */
	char impu[128]; /* empty if longer (the core refuses such an IMPU anyway) */
	int failure;
	int answered_code; /* final code the core has seen, 0 before */
	secsetup_actions_t actions;
} followed_register_t;

static secsetup_slot_pool_t *follow_pool = NULL;

/* tm's callback parameter: a pool slot as (generation << 32) | (slot << 1) | 1, or the
 * address of a record from shm_malloc (even). */
_Static_assert(sizeof(uintptr_t) >= 8, "a pool handle needs a 64-bit callback parameter");
static void *pool_handle(unsigned slot, uint32_t generation)
{
	return (void *)(((uintptr_t)generation << 32) | ((uintptr_t)slot << 1) | 1);
}

static int is_pool_handle(void *param)
{
	return ((uintptr_t)param & 1) != 0;
}

static unsigned handle_slot(void *param)
{
	return (unsigned)(((uintptr_t)param & 0xffffffffu) >> 1);
}

static uint32_t handle_generation(void *param)
{
	return (uint32_t)((uintptr_t)param >> 32);
}

/* The record behind param, locked; NULL when its slot has gone back since. */
static followed_register_t *lock_followed(void *param)
{
	followed_register_t *f;

	if(!is_pool_handle(param)) {
		f = (followed_register_t *)param;
		lock_get(&f->lock);
		return f;
	}
	if(follow_pool == NULL)
		return NULL; /* shutting down: tm may end transactions after mod_destroy */
	f = secsetup_slot_pool_slot(follow_pool, handle_slot(param));
	lock_get(&f->lock);
	if(f->generation != handle_generation(param)) {
		lock_release(&f->lock);
		return NULL;
	}
	return f;
}

/* A pool slot goes back (once: a second call finds another generation). */
static void give_back(void *param)
{
	followed_register_t *f = lock_followed(param);

	if(f == NULL)
		return;
	f->generation++;
	lock_release(&f->lock);
	secsetup_slot_pool_give(follow_pool, handle_slot(param));
}

static void release_followed(void *param)
{
	if(is_pool_handle(param)) {
		give_back(param);
		return;
	}
	lock_destroy(&((followed_register_t *)param)->lock);
	shm_free(param);
}

int secsetup_follow_pool_init(void)
{
	unsigned i;

	/* In flight at once: about the REGISTER rate times the S-CSCF's answer time. */
	unsigned slots = (unsigned)secsetup_params.register_records;

	follow_pool = secsetup_slot_pool_create(slots, sizeof(followed_register_t));
	if(follow_pool == NULL) {
		LM_ERR("no shared memory for %u REGISTER records\n", slots);
		return -1;
	}
	for(i = 0; i < slots; i++) {
		followed_register_t *f = secsetup_slot_pool_slot(follow_pool, i);
		if(lock_init(&f->lock) == NULL)
			return -1;
	}
	return 0;
}

void secsetup_follow_pool_stats(uint64_t *in_use, uint64_t *overflows)
{
	*in_use = follow_pool ? secsetup_slot_pool_in_use(follow_pool) : 0;
	*overflows = follow_pool ? secsetup_slot_pool_empty_takes(follow_pool) : 0;
}

void secsetup_follow_pool_destroy(void)
{
	secsetup_slot_pool_destroy(follow_pool);
	follow_pool = NULL;
}

int secsetup_tm_init(void)
{
	if(load_tm_api(&secsetup_tmb) != 0) {
		LM_ERR("cannot bind to the tm module: load tm.so before secsetup\n");
		return -1;
	}
	if(tm_load_xapi(&secsetup_xtmb) != 0) {
		LM_ERR("cannot bind to the tm module's extra API\n");
		return -1;
	}
	return 0;
}

int secsetup_is_retransmission(sip_msg_t *msg)
{
	/* 0: tm found the transaction and has resent its last reply. */
	return secsetup_xtmb.t_check_trans(msg) == 0;
}

int secsetup_own_transaction(sip_msg_t *msg)
{
	int rc = secsetup_tmb.t_newtran(msg);

	if(rc == 0)
		return 0; /* a retransmission that raced the first copy: tm absorbed it */
	return rc > 0 ? 1 : -1;
}

void secsetup_drop_transaction(sip_msg_t *msg)
{
	secsetup_tmb.t_release(msg);
}

/* When the core cannot say what to do with a final reply, it goes on as a 500 without any
 * WWW-Authenticate: whatever the reply carried (ik, ck) must not reach the UE. */
static __attribute__((cold)) void fail_closed_actions(secsetup_actions_t *a)
{
	secsetup_internal_error_actions(a, "security set-up failed");
	a->replace_www_authenticate = 1;
}

/* The core's edits for this final reply (f locked): computed once per transaction and code,
 * kept in f. fresh: set when this call computed them (its event is raised by this copy only). */
static const secsetup_actions_t *actions_for(
		followed_register_t *f, const secsetup_reply_t *r, int *fresh)
{
	int rc;

	*fresh = 0;
	if(f->answered_code != r->code) {
		rc = secsetup_on_reply(r, secsetup_now(), &f->actions);
		if(rc == SECSETUP_OK) {
			*fresh = 1;
			secsetup_log_actions(&f->actions);
		} else {
			LM_ERR("core failed on a %d reply to REGISTER %.*s: %s; the UE gets a 500\n",
					r->code, (int)r->call_id.len, r->call_id.s,
					secsetup_status_str(rc));
			fail_closed_actions(&f->actions);
		}
		f->answered_code = r->code;
	}
	return &f->actions;
}

/* What the event of a reply needs, copied out of the record before it is unlocked. */
typedef struct reply_event
{
	int event;
	uint16_t port;
	uint32_t spi_p, spi_u;
	char reason[sizeof(((secsetup_actions_t *)0)->event_reason)];
	char impu[sizeof(((followed_register_t *)0)->impu)];
	struct ip_addr src_ip; /* written as text once the record is unlocked */
} reply_event_t;

static void raise_reply_event(const secsetup_reply_t *r, reply_event_t *ev)
{
	secsetup_event_data_t e;
	char ue[IP_ADDR_MAX_STR_SIZE];

	secsetup_ip_text(&ev->src_ip, ue);
	memset(&e, 0, sizeof(e));
	e.event = ev->event;
	e.ue = secsetup_text(ue);
	e.port = ev->port != 0 ? ev->port : r->src_port;
	e.call_id = r->call_id;
	e.impu = secsetup_text(ev->impu);
	e.reason = secsetup_text(ev->reason);
	e.spi_p = ev->spi_p;
	e.spi_u = ev->spi_u;
	secsetup_event_raise(&e);
}

/* The reply's own values for the core: Call-ID, challenge, granted expiry. *unparsable:
 * set for a reply whose headers cannot be parsed to the end; the core then hears of the
 * 500 the UE will get instead. */
static int read_reply(struct cell *t, sip_msg_t *rpl, int faked, secsetup_reply_t *r,
		secsetup_str_t *contacts, int *unparsable)
{
	hdr_field_t *www, *hf;

	*unparsable = 0;
	if(faked || parse_headers(rpl, HDR_EOH_F, 0) < 0 || rpl->callid == NULL) {
		/* A local timeout (no headers to read or edit), or a reply that cannot be read:
		 * the Call-ID is the REGISTER's own. */
		if(t->uas.request == NULL || t->uas.request->callid == NULL)
			return -1;
		if(!faked) {
			LM_ERR("cannot parse the %d reply to REGISTER %.*s: it goes on as a 500\n",
					r->code, t->uas.request->callid->body.len,
					t->uas.request->callid->body.s);
			*unparsable = 1;
			r->code = 500;
		}
		r->call_id.s = t->uas.request->callid->body.s;
		r->call_id.len = t->uas.request->callid->body.len;
		return 0;
	}
	r->call_id.s = rpl->callid->body.s;
	r->call_id.len = rpl->callid->body.len;
	www = secsetup_find_header(rpl, HDR_WWW_AUTHENTICATE_T, NULL, 0);
	if(www != NULL) {
		r->www_authenticate.s = www->body.s;
		r->www_authenticate.len = www->body.len;
	}
	if(r->code < 300) {
		/* The core finds this UE's own binding among every contact the 2xx lists. */
		r->raw_bindings = 1;
		r->contacts = contacts;
		for(hf = rpl->contact; hf != NULL && r->contact_count < SECSETUP_MAX_CONTACT_HEADERS;
				hf = next_sibling_hdr(hf)) {
			contacts[r->contact_count].s = hf->body.s;
			contacts[r->contact_count].len = hf->body.len;
			r->contact_count++;
		}
		if(rpl->expires != NULL) {
			r->expires_header.s = rpl->expires->body.s;
			r->expires_header.len = rpl->expires->body.len;
		}
	}
	return 0;
}

static void on_register_reply(struct cell *t, int type, struct tmcb_params *ps)
{
	void *param = *ps->param;
	followed_register_t *f;
	sip_msg_t *rpl = ps->rpl;
	secsetup_reply_t r;
	secsetup_str_t contacts[SECSETUP_MAX_CONTACT_HEADERS];
	const secsetup_actions_t *a;
	reply_event_t ev;
	int faked = rpl == NULL || rpl == FAKED_REPLY;
	int fresh, unparsable;

	if(param == NULL)
		return;
	if(ps->code < 200) {
		/* No reply to a REGISTER takes a key to the UE (profile 5), a provisional one
		 * neither: the core gives none of these a look otherwise. Edited as it comes in,
		 * before tm builds what it relays (RESPONSE_OUT: it has left). */
		if(!faked && !(type & TMCB_RESPONSE_OUT))
			secsetup_reply_without_keys(rpl);
		return;
	}
	if(type & TMCB_RESPONSE_OUT) {
		/* The final reply has left: any later copy is tm's to discard. */
		if(is_pool_handle(param))
			give_back(param);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.to_register = 1;
	r.code = ps->code;
	r.expires = -1;
	if(read_reply(t, rpl, faked, &r, contacts, &unparsable) < 0)
		return;
	f = lock_followed(param);
	if(f == NULL)
		return; /* a copy after the final reply left: tm discards it */
	secsetup_ip_binary(&f->src_ip, &r.src_addr);
	r.src_port = f->src_port;
	r.forwarded_failure = f->failure;
	r.path = f->path;
	r.cseq = f->cseq;
	/* The edits are applied from the record, locked (only another copy of this reply
	 * could wait for it), rather than copied out whole. */
	a = actions_for(f, &r, &fresh);
	if(unparsable ? secsetup_reply_fail_closed(rpl) < 0
				  : !faked && secsetup_apply_to_reply(rpl, a) < 0) {
		LM_ERR("cannot edit the %d reply to REGISTER %.*s: its keys are overwritten "
			   "in place\n",
				ps->code, (int)r.call_id.len, r.call_id.s);
		secsetup_reply_scrub_keys(rpl, unparsable ? 500 : a->reply_code);
	}
	fresh = fresh && a->event != SECSETUP_EVENT_NONE;
	if(fresh) {
		/* Copied out: once unlocked, the slot may go back and be reused. */
		ev.event = a->event;
		ev.port = a->event_port;
		ev.spi_p = a->event_spi_p;
		ev.spi_u = a->event_spi_u;
		memcpy(ev.reason, a->event_reason, sizeof(ev.reason));
		memcpy(ev.impu, f->impu, sizeof(ev.impu));
		ev.src_ip = f->src_ip;
	}
	lock_release(&f->lock);
	if(fresh)
		raise_reply_event(&r, &ev);
}

/* A record for a new transaction: a pool slot, else shared memory; NULL without either. */
static followed_register_t *new_followed(void **param)
{
	followed_register_t *f;
	unsigned slot;

	if(follow_pool != NULL && secsetup_slot_pool_take(follow_pool, &slot) == 0) {
		f = secsetup_slot_pool_slot(follow_pool, slot);
		*param = pool_handle(slot, f->generation);
		return f;
	}
	f = shm_malloc(sizeof(*f));
	if(f == NULL) {
		LM_ERR("no shared memory\n");
		return NULL;
	}
	memset(f, 0, sizeof(*f));
	if(lock_init(&f->lock) == NULL) {
		shm_free(f);
		return NULL;
	}
	*param = f;
	return f;
}

int secsetup_follow_register(
		sip_msg_t *msg, const secsetup_req_facts_t *facts, int failure)
{
	void *param;
	followed_register_t *f = new_followed(&param);
	secsetup_str_t impu = facts->req.impu;

	if(f == NULL)
		return -1;
	f->src_ip = *facts->src;
	f->src_port = facts->req.src_port;
	f->path = facts->req.path;
	f->cseq = facts->req.cseq;
	f->impu[0] = '\0';
	if(impu.s != NULL && impu.len < sizeof(f->impu)) {
		memcpy(f->impu, impu.s, impu.len);
		f->impu[impu.len] = '\0';
	}
	f->failure = failure;
	f->answered_code = 0;
	/* Before t_relay the transaction does not exist yet: tm keeps the callback for it. */
	if(secsetup_tmb.register_tmcb(msg, 0, TMCB_RESPONSE_IN | TMCB_RESPONSE_OUT,
			   on_register_reply, param, release_followed)
			<= 0) {
		LM_ERR("cannot follow the REGISTER transaction\n");
		release_followed(param);
		return -1;
	}
	return 0;
}

int secsetup_send_report(const secsetup_report_t *r, const char *report_uri)
{
	uac_req_t uac;
	str method = str_init("REGISTER");
	str ruri, uri, callid, hdrs;
	char hbuf[512];
	const char *realm;
	int n;

	if(report_uri == NULL || report_uri[0] == '\0') {
		LM_WARN("no report_uri: %s for %s (Call-ID %s) not reported to the home "
				"network\n",
				r->failure, r->impi, r->call_id);
		return -1;
	}
	/* The S-CSCF finds the failed authentication by the IMPI it challenged (D.2.2): the
	 * report names it as an SM1 does, in an Authorization without a response. tm writes
	 * Content-Length itself. The core admits no quote or control character in an IMPI. */
	if(r->impi[0] != '\0') {
		realm = strchr(r->impi, '@');
		realm = realm != NULL ? realm + 1 : r->impi;
		n = snprintf(hbuf, sizeof(hbuf),
				"Failure: %s\r\nAuthorization: Digest username=\"%s\", "
				"realm=\"%s\", nonce=\"\", uri=\"%s\", response=\"\"\r\n",
				r->failure, r->impi, realm, report_uri);
	} else {
		n = snprintf(hbuf, sizeof(hbuf), "Failure: %s\r\n", r->failure);
	}
	if(n < 0 || n >= (int)sizeof(hbuf)) {
		LM_ERR("the %s report for Call-ID %s does not fit\n", r->failure,
				r->call_id);
		return -1;
	}
	hdrs.s = hbuf;
	hdrs.len = n;
	ruri.s = (char *)report_uri;
	ruri.len = strlen(report_uri);
	uri.s = (char *)r->impu;
	uri.len = strlen(r->impu);
	callid.s = (char *)r->call_id;
	callid.len = strlen(r->call_id);
	set_uac_req(&uac, &method, &hdrs, NULL, NULL, 0, NULL, NULL);
	uac.callid = &callid;
	if(secsetup_tmb.t_request(&uac, &ruri, &uri, &uri, NULL) < 0) {
		LM_ERR("cannot send the %s report for Call-ID %s\n", r->failure,
				r->call_id);
		return -1;
	}
	LM_INFO("reported %s to %s for %s (Call-ID %s)\n", r->failure, report_uri,
			r->impi, r->call_id);
	return 0;
}
