#ifndef SECSETUP_TM_HOOKS_H
#define SECSETUP_TM_HOOKS_H

#include "core/parser/msg_parser.h"
#include "modules/tm/tm_load.h"

#include "msg_facts.h"

extern struct tm_binds secsetup_tmb;

/* Binds to tm; from mod_init. */
int secsetup_tm_init(void);
/* The records of REGISTER transactions in flight (mod_init, after the shared memory). */
int secsetup_follow_pool_init(void);
void secsetup_follow_pool_destroy(void);
/* Records in use now, and REGISTERs so far that found the pool empty (record from shm). */
void secsetup_follow_pool_stats(uint64_t *in_use, uint64_t *overflows);

/* True if msg retransmits a request tm already handles (tm has answered it again): the core
 * must see every request once. */
int secsetup_is_retransmission(sip_msg_t *msg);

/* Creates the transaction of a REGISTER before the core sees it, so that a retransmission
 * arriving meanwhile is absorbed by tm instead of reaching the core twice.
 * 1: created; 0: it was a retransmission (handled); -1: error. */
int secsetup_own_transaction(sip_msg_t *msg);
/* Releases that transaction when the request is discarded rather than answered. */
void secsetup_drop_transaction(sip_msg_t *msg);

/* Follows the REGISTER transaction msg is about to create, whichever socket the REGISTER came
 * in on: its final reply goes to the core (SM3 -> SM4, SM7 -> SM8 on the access side, the
 * keys taken out anywhere), carries the core's edits and raises the core's event once; every
 * other reply has its challenges' keys taken out. f: the REGISTER's facts (source, To URI for
 * the event, path); failure: what the request carries on (enum secsetup_failure). */
int secsetup_follow_register(
		sip_msg_t *msg, const secsetup_req_facts_t *f, int failure);

/* Sends the D.2.2 report: a REGISTER for that IMPI/Call-ID with Failure. */
int secsetup_send_report(const secsetup_report_t *r, const char *report_uri);

#endif
