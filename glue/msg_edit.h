#ifndef SECSETUP_MSG_EDIT_H
#define SECSETUP_MSG_EDIT_H

#include "core/parser/msg_parser.h"

#include "../module/c_api/core_api.h"

/* The header edits the core asked for, applied as lumps to a request being relayed or to a
 * reply being relayed (TMCB_RESPONSE_IN); on a reply, every challenge header the core did
 * not rewrite itself also loses its keys (secsetup_challenge_without_keys). 0 on success,
 * -1 on failure (logged). */
int secsetup_apply_to_request(sip_msg_t *msg, const secsetup_actions_t *a);
int secsetup_apply_to_reply(sip_msg_t *rpl, const secsetup_actions_t *a);

/* A reply the core has no edits for (a provisional one): every challenge header goes on
 * without ik and ck, or, if it cannot be edited, is scrubbed in place
 * (secsetup_reply_scrub_keys). */
void secsetup_reply_without_keys(sip_msg_t *rpl);

/* Answers the request itself (verdict REPLY) with the core's headers. */
int secsetup_send_reply(sip_msg_t *msg, const secsetup_actions_t *a);
/* a: a 500 Server Internal Error with a Warning saying why, nothing else (verdict RELAY). */
void secsetup_internal_error_actions(secsetup_actions_t *a, const char *why);
/* A final reply whose headers Kamailio cannot parse to the end: the rest cannot be read or
 * edited header by header and may hold ik/ck, so it goes on as a 500 without any
 * WWW-Authenticate and without the headers from the one that failed to parse on. */
__attribute__((cold)) int secsetup_reply_fail_closed(sip_msg_t *rpl);
/* Last resort when a final reply's edits could not be made (no memory for them): the values
 * of its ik and ck parameters, and any header Kamailio could not parse, are overwritten in
 * the received text itself, which needs no memory, so whatever tm relays holds no key; the
 * status code becomes code (when the core chose another, e.g. 500) the same way. */
__attribute__((cold)) void secsetup_reply_scrub_keys(sip_msg_t *rpl, int code);

/* Loads the sl API for secsetup_send_reply; from mod_init. */
int secsetup_msg_edit_init(void);

#endif
