#include <string.h>

#include "core/dprint.h"
#include "core/timer_proc.h"

#include "../module/c_api/core_api.h"
#include "events.h"
#include "glue_params.h"
#include "kernel_proc.h"
#include "secsetup_clock.h"
#include "timer_proc.h"
#include "tm_hooks.h"

/* Called by the core after it released its locks: the report, then the event. */
static void report(void *ctx, const secsetup_report_t *r)
{
	secsetup_event_data_t e;

	secsetup_send_report(r, secsetup_params.report_uri);
	memset(&e, 0, sizeof(e));
	e.event = r->event;
	e.ue = secsetup_text(r->ue_ip);
	e.port = r->ue_port;
	e.call_id = secsetup_text(r->call_id);
	e.impu = secsetup_text(r->impu);
	e.reason = secsetup_text(r->failure);
	e.spi_p = r->spi_p;
	e.spi_u = r->spi_u;
	secsetup_event_raise(&e);
}

static void sa_gone(void *ctx, const char *dst_ip, uint32_t spi)
{
	secsetup_str_t dst = secsetup_text(dst_ip);

	LM_DBG("kernel notice: SA %s spi 0x%x removed or expired\n",
			dst_ip, spi);
	secsetup_on_kernel_expire(dst, spi);
}

static void tick(unsigned int ticks, void *param)
{
	secsetup_kernel_t *k = secsetup_kernel();

	secsetup_on_timer(secsetup_now(), report, NULL);
	if(k != NULL && secsetup_xfrm_event_fd(k) >= 0)
		secsetup_xfrm_drain_expired(k, sa_gone, NULL);
}

int secsetup_timer_register(void)
{
	return register_basic_timers(1);
}

int secsetup_timer_fork(void)
{
	/* make_sock: the reports leave through tm from this process. */
	if(fork_basic_timer(PROC_TIMER, "secsetup timer", 1, tick, NULL, 1) < 0) {
		LM_ERR("cannot fork the timer process\n");
		return -1;
	}
	return 0;
}
