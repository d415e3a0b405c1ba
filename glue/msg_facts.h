#ifndef SECSETUP_MSG_FACTS_H
#define SECSETUP_MSG_FACTS_H

#include "core/ip_addr.h"
#include "core/parser/msg_parser.h"

#include "../module/c_api/core_api.h"

/* More Security-setup headers than this are malformed anyway; the count stays exact. */
#define SECSETUP_MAX_SETUP_HEADERS 4

/* What the core needs of a request, with the storage its views point into. */
typedef struct secsetup_req_facts
{
	secsetup_request_t req;
	secsetup_str_t setup[SECSETUP_MAX_SETUP_HEADERS];
	struct ip_addr *src; /* the message's own source address (text only for events, logs) */
} secsetup_req_facts_t;

/* Reads modparam access_ip once, in mod_init; -1 (logged) if it is not an address. */
int secsetup_msg_facts_init(void);

/* Fills facts from msg; -1 if the message lacks what every request has (Call-ID). */
int secsetup_request_facts(sip_msg_t *msg, secsetup_req_facts_t *facts);

/* Expiry a REGISTER asks for or a 2xx grants: Contact's expires, else Expires, else -1. */
long secsetup_msg_expires(sip_msg_t *msg);

/* hf is of that type; for HDR_OTHER_T (headers Kamailio does not know, such as
 * Security-setup) also of that name, in any case. */
int secsetup_header_is(const hdr_field_t *hf, enum _hdr_types_t type, const char *name, int len);

/* The first header that secsetup_header_is, or NULL. */
hdr_field_t *secsetup_find_header(
		sip_msg_t *msg, enum _hdr_types_t type, const char *name, int len);

/* Copies an address as text into buf (IP_ADDR_MAX_STR_SIZE). */
void secsetup_ip_text(struct ip_addr *ip, char *buf);

/* The core's binary form of an address. */
void secsetup_ip_binary(const struct ip_addr *ip, secsetup_ip_t *out);

#endif
