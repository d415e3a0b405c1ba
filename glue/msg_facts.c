#include <string.h>

#include "core/dprint.h"
#include "core/parser/parse_cseq.h"
#include "core/parser/parse_to.h"
#include "core/resolve.h"
#include "core/strutils.h"
#include "core/ut.h"

#include "glue_params.h"
#include "msg_facts.h"

#define SETUP_HDR_NAME "Security-setup"

void secsetup_ip_text(struct ip_addr *ip, char *buf)
{
	int len = ip_addr2sbuf(ip, buf, IP_ADDR_MAX_STR_SIZE - 1);
	buf[len > 0 ? len : 0] = '\0';
}

int secsetup_header_is(const hdr_field_t *hf, enum _hdr_types_t type, const char *name, int len)
{
	/* Kamailio has typed every header it knows while parsing: only the others need a look
	 * at their names. */
	if(hf->type != type)
		return 0;
	return type != HDR_OTHER_T
		   || (hf->name.len == len && strncasecmp(hf->name.s, name, len) == 0);
}

hdr_field_t *secsetup_find_header(
		sip_msg_t *msg, enum _hdr_types_t type, const char *name, int len)
{
	hdr_field_t *hf;

	for(hf = msg->headers; hf != NULL; hf = hf->next) {
		if(secsetup_header_is(hf, type, name, len))
			return hf;
	}
	return NULL;
}

void secsetup_ip_binary(const struct ip_addr *ip, secsetup_ip_t *out)
{
	out->family = ip->af == AF_INET6 ? 6 : 4;
	memcpy(out->bytes, ip->u.addr, ip->len <= sizeof(out->bytes) ? ip->len : sizeof(out->bytes));
}

static secsetup_str_t view(str s)
{
	secsetup_str_t v = {s.s, (size_t)s.len};
	return v;
}

/* modparam access_ip, parsed: compared with each request's local address as bytes. */
static struct ip_addr access_addr;
static int has_access_addr = 0;

int secsetup_msg_facts_init(void)
{
	str text;

	if(secsetup_params.access_ip == NULL || secsetup_params.access_ip[0] == '\0')
		return 0;
	text.s = secsetup_params.access_ip;
	text.len = strlen(text.s);
	if(str2ipxbuf(&text, &access_addr) < 0) {
		LM_ERR("access_ip \"%s\" is not an IPv4 or IPv6 address\n", text.s);
		return -1;
	}
	has_access_addr = 1;
	return 0;
}

static int path_of(sip_msg_t *msg)
{
	int port = msg->rcv.dst_port;

	if(has_access_addr && !ip_addr_cmp(&access_addr, &msg->rcv.dst_ip))
		return SECSETUP_PATH_OTHER;
	if(port == secsetup_params.protected_port)
		return SECSETUP_PATH_PROTECTED;
	if(port == secsetup_params.unprotected_port)
		return SECSETUP_PATH_UNPROTECTED;
	return SECSETUP_PATH_OTHER;
}

/* From the raw header values: Kamailio's Contact and Expires parsers would allocate. */
long secsetup_msg_expires(sip_msg_t *msg)
{
	secsetup_str_t contact = {NULL, 0}, expires = {NULL, 0};

	if(msg->contact != NULL)
		contact = view(msg->contact->body);
	if(msg->expires != NULL)
		expires = view(msg->expires->body);
	return secsetup_register_expires(contact, expires);
}

int secsetup_request_facts(sip_msg_t *msg, secsetup_req_facts_t *f)
{
	secsetup_request_t *r = &f->req;
	hdr_field_t *hf;
	size_t n = 0;
	unsigned int cseq;

	memset(r, 0, sizeof(*r));
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || msg->callid == NULL) {
		LM_NOTICE("request without a parsable Call-ID from %s\n",
				ip_addr2a(&msg->rcv.src_ip));
		return -1;
	}
	/* Addresses go to the core in binary: no text to write here and parse there. */
	f->src = &msg->rcv.src_ip;
	secsetup_ip_binary(&msg->rcv.src_ip, &r->src_addr);
	secsetup_ip_binary(&msg->rcv.dst_ip, &r->local_addr);
	r->is_register = msg->first_line.u.request.method_value == METHOD_REGISTER;
	r->path = path_of(msg);
	r->src_port = msg->rcv.src_port;
	r->local_port = msg->rcv.dst_port;
	r->call_id = view(msg->callid->body);
	if(msg->to != NULL && parse_to_header(msg) == 0)
		r->impu = view(get_to(msg)->uri);
	if(msg->authorization != NULL)
		r->authorization = view(msg->authorization->body);
	for(hf = msg->headers; hf != NULL; hf = hf->next) {
		if(!secsetup_header_is(hf, HDR_OTHER_T, SETUP_HDR_NAME, sizeof(SETUP_HDR_NAME) - 1))
			continue;
		if(n < SECSETUP_MAX_SETUP_HEADERS)
			f->setup[n] = view(hf->body);
		n++;
	}
	r->security_setup = f->setup;
	/* Beyond the first few the core needs to know there were more, not what they said. */
	r->security_setup_count =
			n < SECSETUP_MAX_SETUP_HEADERS ? n : SECSETUP_MAX_SETUP_HEADERS;
	r->expires = r->is_register ? secsetup_msg_expires(msg) : -1;
	/* parse_headers parsed CSeq (it is a required header: no CSeq, no number) */
	if(msg->cseq != NULL && msg->cseq->parsed != NULL
			&& str2int(&get_cseq(msg)->number, &cseq) == 0)
		r->cseq = cseq;
	return 0;
}
