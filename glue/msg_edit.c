#include <stdio.h>
#include <string.h>

#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "modules/sl/sl.h"

#include "msg_edit.h"
#include "msg_facts.h"

#define HDR_BUF 1400

static sl_api_t slb;

int secsetup_msg_edit_init(void)
{
	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module: load sl.so before secsetup\n");
		return -1;
	}
	return 0;
}

/* Every header the core may add, as one CRLF-terminated block; returns its length. */
static int extra_headers(const secsetup_actions_t *a, char *buf, int size,
		int with_setup_and_auth)
{
	int len = 0;

	buf[0] = '\0';
#define APPEND(...)                                                       \
	do {                                                                  \
		int n_ = snprintf(buf + len, size - len, __VA_ARGS__);            \
		if(n_ < 0 || n_ >= size - len)                                    \
			return -1;                                                    \
		len += n_;                                                        \
	} while(0)
	if(with_setup_and_auth && a->security_setup[0] != '\0')
		APPEND("Security-setup: %s\r\n", a->security_setup);
	if(with_setup_and_auth && a->replace_www_authenticate
			&& a->www_authenticate[0] != '\0')
		APPEND("WWW-Authenticate: %s\r\n", a->www_authenticate);
	if(a->failure != SECSETUP_FAILURE_NONE && a->failure_token[0] != '\0')
		APPEND("Failure: %s\r\n", a->failure_token);
	if(a->warning[0] != '\0')
		APPEND("Warning: 399 secsetup \"%s\"\r\n", a->warning);
	if(a->retry_after > 0)
		APPEND("Retry-After: %u\r\n", a->retry_after);
#undef APPEND
	return len;
}

static int remove_headers(sip_msg_t *msg, const char *name, int name_len)
{
	hdr_field_t *hf;

	for(hf = msg->headers; hf != NULL; hf = hf->next) {
		if(hf->name.len != name_len || strncasecmp(hf->name.s, name, name_len) != 0)
			continue;
		if(del_lump(msg, hf->name.s - msg->buf, hf->len, 0) == NULL) {
			LM_ERR("cannot remove a %.*s header\n", name_len, name);
			return -1;
		}
	}
	return 0;
}

/* Inserts text (already CRLF-terminated) at the end of the headers. */
static int append_headers(sip_msg_t *msg, const char *text, int len)
{
	struct lump *anchor;
	char *copy;

	if(len <= 0)
		return 0;
	anchor = anchor_lump(msg, msg->unparsed - msg->buf, 0, 0);
	copy = pkg_malloc(len);
	if(anchor == NULL || copy == NULL) {
		if(copy)
			pkg_free(copy);
		LM_ERR("no memory to add headers\n");
		return -1;
	}
	memcpy(copy, text, len);
	if(insert_new_lump_before(anchor, copy, len, 0) == NULL) {
		pkg_free(copy);
		LM_ERR("cannot add headers\n");
		return -1;
	}
	return 0;
}

/* Rewrites "SIP/2.0 <code> <reason>" of a received reply before tm relays it. */
static int replace_status(sip_msg_t *rpl, int code, const char *reason)
{
	str *st = &rpl->first_line.u.reply.status;
	str *rs = &rpl->first_line.u.reply.reason;
	int old_len = (int)(rs->s + rs->len - st->s);
	int len;
	char *text;

	text = pkg_malloc(64);
	if(text == NULL)
		return -1;
	len = snprintf(text, 64, "%03d %s", code, reason);
	if(del_lump(rpl, st->s - rpl->buf, old_len, 0) == NULL) {
		pkg_free(text);
		return -1;
	}
	if(insert_new_lump_after(
			   anchor_lump(rpl, st->s - rpl->buf, 0, 0), text, len, 0)
			== NULL) {
		pkg_free(text);
		return -1;
	}
	return 0;
}

int secsetup_apply_to_request(sip_msg_t *msg, const secsetup_actions_t *a)
{
	char buf[HDR_BUF];
	int len;

	if(a->strip_security_setup
			&& remove_headers(msg, "Security-setup", sizeof("Security-setup") - 1)
					   < 0)
		return -1;
	len = extra_headers(a, buf, sizeof(buf), 0);
	if(len < 0)
		return -1;
	return append_headers(msg, buf, len);
}

int secsetup_apply_to_reply(sip_msg_t *rpl, const secsetup_actions_t *a)
{
	char buf[HDR_BUF];
	int len;

	if(parse_headers(rpl, HDR_EOH_F, 0) < 0)
		return -1;
	if(a->reply_code > 0 && a->reply_code != (int)rpl->first_line.u.reply.statuscode
			&& replace_status(rpl, a->reply_code, a->reply_reason) < 0)
		return -1;
	if(a->replace_www_authenticate
			&& remove_headers(rpl, "WWW-Authenticate",
					   sizeof("WWW-Authenticate") - 1)
					   < 0)
		return -1;
	len = extra_headers(a, buf, sizeof(buf), 1);
	if(len < 0)
		return -1;
	return append_headers(rpl, buf, len);
}

int secsetup_send_reply(sip_msg_t *msg, const secsetup_actions_t *a)
{
	char buf[HDR_BUF];
	int len = extra_headers(a, buf, sizeof(buf), 0);

	if(len < 0)
		return -1;
	if(len > 0 && add_lump_rpl(msg, buf, len, LUMP_RPL_HDR) == NULL) {
		LM_ERR("cannot add headers to the reply\n");
		return -1;
	}
	return slb.freply(msg, a->reply_code, &(str){(char *)a->reply_reason,
												  strlen(a->reply_reason)});
}
