#ifndef SECSETUP_EVENTS_H
#define SECSETUP_EVENTS_H

#include <stdint.h>
#include <string.h>

#include "core/pvar.h"

#include "../module/c_api/core_api.h"

/* What happened, as event_route[secsetup:<event>] sees it in $secsetup(name).
 * Strings need not be zero-terminated; {NULL, 0} leaves the field out. */
typedef struct secsetup_event_data
{
	int event; /* enum secsetup_event */
	secsetup_str_t ue;
	unsigned port;
	secsetup_str_t call_id;
	secsetup_str_t impu;
	secsetup_str_t reason; /* failed, auth-timeout: Failure token or cause */
	uint32_t spi_p;
	uint32_t spi_u;
} secsetup_event_data_t;

/* A zero-terminated text as a view (NULL stays {NULL, 0}). */
static inline secsetup_str_t secsetup_text(const char *s)
{
	secsetup_str_t v = {s, s != NULL ? strlen(s) : 0};
	return v;
}

/* mod_init: looks up the event routes (not needed with event_callback). */
int secsetup_events_init(void);

/* Runs event_route[secsetup:<event>], or the KEMI event_callback with the event name, on a
 * faked message; $secsetup(...) reads e meanwhile. Call with no core lock held. */
void secsetup_event_raise(const secsetup_event_data_t *e);

/* $secsetup(event|ue|port|call_id|impu|reason|spi_p|spi_u): the event being raised, $null
 * outside an event route (and for a field the event does not have). Never key material. */
int secsetup_pv_parse_name(pv_spec_t *sp, str *in);
int secsetup_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);

#endif
