#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
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

/* Appends the pieces (NULL-terminated list of strings) to buf at *len; -1 if they do not
 * fit. Plain copies: snprintf's set-up costs more than these few short lines. */
static int append_text(char *buf, int size, int *len, ...)
{
	va_list ap;
	const char *piece;
	size_t n;

	va_start(ap, len);
	while((piece = va_arg(ap, const char *)) != NULL) {
		n = strlen(piece);
		if(n >= (size_t)(size - *len)) {
			va_end(ap);
			return -1;
		}
		memcpy(buf + *len, piece, n);
		*len += (int)n;
	}
	va_end(ap);
	buf[*len] = '\0';
	return 0;
}

/* Every header the core may add, as one CRLF-terminated block; returns its length. */
static int extra_headers(
		const secsetup_actions_t *a, char *buf, int size, int with_setup)
{
	int len = 0;
	char seconds[16];

	buf[0] = '\0';
	if(with_setup && a->security_setup[0] != '\0'
			&& append_text(buf, size, &len, "Security-setup: ", a->security_setup,
					   "\r\n", NULL)
					   < 0)
		return -1;
	if(a->failure != SECSETUP_FAILURE_NONE && a->failure_token[0] != '\0'
			&& append_text(buf, size, &len, "Failure: ", a->failure_token, "\r\n", NULL)
					   < 0)
		return -1;
	if(a->warning[0] != '\0'
			&& append_text(buf, size, &len, "Warning: 399 secsetup \"", a->warning,
					   "\"\r\n", NULL)
					   < 0)
		return -1;
	if(a->retry_after > 0) {
		snprintf(seconds, sizeof(seconds), "%u", a->retry_after); /* 503s only */
		if(append_text(buf, size, &len, "Retry-After: ", seconds, "\r\n", NULL) < 0)
			return -1;
	}
	return len;
}

/* The header's value becomes text (len bytes, pkg memory the lump takes over; freed here if
 * it cannot); its name and line end stay where they are. */
static int replace_value(sip_msg_t *msg, hdr_field_t *hf, char *text, int len)
{
	struct lump *l = del_lump(msg, hf->body.s - msg->buf, hf->body.len, 0);

	if(l == NULL || insert_new_lump_after(l, text, len, 0) == NULL) {
		pkg_free(text);
		LM_ERR("cannot rewrite a %.*s header\n", hf->name.len, hf->name.s);
		return -1;
	}
	return 0;
}

static int remove_header(sip_msg_t *msg, hdr_field_t *hf)
{
	if(del_lump(msg, hf->name.s - msg->buf, hf->len, 0) == NULL) {
		LM_ERR("cannot remove a %.*s header\n", hf->name.len, hf->name.s);
		return -1;
	}
	return 0;
}

static int remove_headers(
		sip_msg_t *msg, enum _hdr_types_t type, const char *name, int name_len)
{
	hdr_field_t *hf;

	for(hf = msg->headers; hf != NULL; hf = hf->next) {
		if(secsetup_header_is(hf, type, name, name_len)
				&& remove_header(msg, hf) < 0)
			return -1;
	}
	return 0;
}

static int is_challenge(const hdr_field_t *hf)
{
	return hf->type == HDR_WWW_AUTHENTICATE_T
		   || hf->type == HDR_PROXY_AUTHENTICATE_T;
}

/* One challenge header as the core says: rewritten without its keys, left as it is, or
 * removed when the core cannot read it to its end (a key may hide in it). */
static int challenge_without_keys(sip_msg_t *rpl, hdr_field_t *hf)
{
	secsetup_str_t value = {hf->body.s, (size_t)hf->body.len};
	char *text = pkg_malloc(hf->body.len + 1);
	size_t len = 0;
	int rc;

	if(text == NULL) {
		LM_ERR("no memory to rewrite a %.*s header\n", hf->name.len, hf->name.s);
		return -1;
	}
	rc = secsetup_challenge_without_keys(value, text, (size_t)hf->body.len, &len);
	if(rc == SECSETUP_OK)
		return replace_value(rpl, hf, text, (int)len);
	pkg_free(text);
	return rc == SECSETUP_NOT_FOUND ? 0 : remove_header(rpl, hf);
}

/* Every challenge header of rpl but done (the one the core's actions edited already, or
 * NULL) and, with skip_www, every WWW-Authenticate (the core's actions removed them). */
static int challenges_without_keys(
		sip_msg_t *rpl, const hdr_field_t *done, int skip_www)
{
	hdr_field_t *hf;

	for(hf = rpl->headers; hf != NULL; hf = hf->next) {
		if(!is_challenge(hf) || hf == done
				|| (skip_www && hf->type == HDR_WWW_AUTHENTICATE_T))
			continue;
		if(challenge_without_keys(rpl, hf) < 0)
			return -1;
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
			&& remove_headers(msg, HDR_OTHER_T, "Security-setup",
					   sizeof("Security-setup") - 1)
					   < 0)
		return -1;
	/* Before the core's own Failure is added below: only that one reaches the S-CSCF. */
	if(a->strip_failure
			&& remove_headers(msg, HDR_OTHER_T, "Failure", sizeof("Failure") - 1) < 0)
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
	/* The value the core was given (read_reply: the first) and rewrote, in its place. */
	hdr_field_t *read = NULL;
	int drop_www = a->replace_www_authenticate && a->www_authenticate[0] == '\0';
	char *text;

	if(parse_headers(rpl, HDR_EOH_F, 0) < 0)
		return -1;
	if(a->reply_code > 0 && a->reply_code != (int)rpl->first_line.u.reply.statuscode
			&& replace_status(rpl, a->reply_code, a->reply_reason) < 0)
		return -1;
	if(drop_www && remove_headers(rpl, HDR_WWW_AUTHENTICATE_T, NULL, 0) < 0)
		return -1;
	if(a->replace_www_authenticate && !drop_www) {
		read = secsetup_find_header(rpl, HDR_WWW_AUTHENTICATE_T, NULL, 0);
		len = (int)strlen(a->www_authenticate);
		text = read != NULL ? pkg_malloc(len) : NULL;
		if(text == NULL)
			return -1;
		memcpy(text, a->www_authenticate, len);
		if(replace_value(rpl, read, text, len) < 0)
			return -1;
	}
	if(challenges_without_keys(rpl, read, drop_www) < 0)
		return -1;
	len = extra_headers(a, buf, sizeof(buf), 1);
	if(len < 0)
		return -1;
	return append_headers(rpl, buf, len);
}

/* The headers Kamailio has not parsed: from the end of the last parsed one to the empty
 * line that ends the header section (a body after it is not included). */
static void unparsed_headers(sip_msg_t *rpl, char **from, char **end)
{
	char *blank;

	*from = rpl->buf + rpl->first_line.len; /* nothing parsed: every header */
	*end = rpl->buf + rpl->len;
	if(rpl->last_header != NULL)
		*from = rpl->last_header->name.s + rpl->last_header->len;
	blank = *from - 2 >= rpl->buf ? memmem(*from - 2, *end - (*from - 2), "\r\n\r\n", 4)
								  : NULL;
	if(blank != NULL)
		*end = blank + 2;
}

int secsetup_reply_fail_closed(sip_msg_t *rpl)
{
	char *from, *end;

	unparsed_headers(rpl, &from, &end);
	if(replace_status(rpl, 500, "Server Internal Error") < 0
			|| remove_headers(rpl, HDR_WWW_AUTHENTICATE_T, NULL, 0) < 0
			|| remove_headers(rpl, HDR_PROXY_AUTHENTICATE_T, NULL, 0) < 0)
		return -1;
	if(end > from && del_lump(rpl, from - rpl->buf, end - from, 0) == NULL)
		return -1;
	return 0;
}

void secsetup_reply_scrub_keys(sip_msg_t *rpl, int code)
{
	str *status = &rpl->first_line.u.reply.status;
	hdr_field_t *hf;
	char *from, *end;

	/* The code the core settled on, in place of the received one (like replace_status, the
	 * text only): a UE told 401 would go on to SM5 over SAs that are not there. */
	if(code >= 100 && code <= 699 && code != (int)rpl->first_line.u.reply.statuscode
			&& status->len == 3) {
		status->s[0] = (char)('0' + code / 100);
		status->s[1] = (char)('0' + code / 10 % 10);
		status->s[2] = (char)('0' + code % 10);
	}
	for(hf = rpl->headers; hf != NULL; hf = hf->next) {
		if(is_challenge(hf))
			secsetup_scrub_challenge_keys(hf->body.s, (size_t)hf->body.len);
	}
	if(rpl->parsed_flag & HDR_EOH_F)
		return;
	/* Headers Kamailio could not parse are in no list: their text goes, line ends stay. */
	unparsed_headers(rpl, &from, &end);
	for(; from < end; from++) {
		if(*from != '\r' && *from != '\n')
			*from = 'x';
	}
}

void secsetup_reply_without_keys(sip_msg_t *rpl)
{
	if(parse_headers(rpl, HDR_EOH_F, 0) < 0
			|| challenges_without_keys(rpl, NULL, 0) < 0) {
		LM_ERR("cannot edit a %d reply: its keys are overwritten in place\n",
				(int)rpl->first_line.u.reply.statuscode);
		secsetup_reply_scrub_keys(rpl, 0);
	}
}

void secsetup_internal_error_actions(secsetup_actions_t *a, const char *why)
{
	memset(a, 0, sizeof(*a));
	a->reply_code = 500;
	strncpy(a->reply_reason, "Server Internal Error", sizeof(a->reply_reason) - 1);
	strncpy(a->warning, why, sizeof(a->warning) - 1);
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
