#ifndef SECSETUP_CFG_FUNCTIONS_H
#define SECSETUP_CFG_FUNCTIONS_H

#include "core/kemi.h"
#include "core/parser/msg_parser.h"

/* secsetup_check(): the one call an access-side request_route makes, first thing.
 * Returns 1: relay the request (the module has edited it as needed);
 *         0: the module answered or discarded it, stop (cfg "exit" is implied);
 *        -1: internal error (the request was answered 500). */
int w_secsetup_check(sip_msg_t *msg, char *p1, char *p2);
int ki_secsetup_check(sip_msg_t *msg);

extern sr_kemi_t secsetup_kemi_exports[];

#endif
