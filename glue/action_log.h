#ifndef SECSETUP_ACTION_LOG_H
#define SECSETUP_ACTION_LOG_H
/* The core's one log line per step, at a level an operator can live with: the routine steps
 * of every registration (SM1 stored, SAs installed, SM5 matches, relayed) at DBG, since four
 * writes per registration cost measurable CPU at load; refusals, discards and failures at
 * INFO. The event routes are the place for an operator's own per-registration lines. */
#include "core/dprint.h"

#include "../module/c_api/core_api.h"

static inline void secsetup_log_actions(const secsetup_actions_t *a)
{
	if(a->log[0] == '\0')
		return;
	if(a->verdict == SECSETUP_RELAY && a->failure == SECSETUP_FAILURE_NONE
			&& a->reply_code < 400 && a->warning[0] == '\0')
		LM_DBG("%s\n", a->log);
	else
		LM_INFO("%s\n", a->log);
}

#endif
