#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/rpc.h"

#include "../module/c_api/core_api.h"
#include "kernel_proc.h"
#include "tm_hooks.h"
#include "rpc.h"

typedef struct listing
{
	rpc_t *rpc;
	void *ctx;
	const char *ip; /* filter (show), NULL for all */
	int port;
	int found;
} listing_t;

static void add_contact(void *p, const secsetup_contact_info_t *c)
{
	listing_t *l = (listing_t *)p;
	void *h;

	if(l->ip != NULL && (strcmp(l->ip, c->ue_ip) != 0 || l->port != c->port))
		return;
	l->found++;
	if(l->rpc->add(l->ctx, "{", &h) < 0)
		return;
	/* SPIs use all 32 bits: as text, since binrpc integers are signed. */
	char spi_p[12], spi_u[12], new_spi_p[12], new_spi_u[12];

	snprintf(spi_p, sizeof(spi_p), "%u", c->spi_p);
	snprintf(spi_u, sizeof(spi_u), "%u", c->spi_u);
	snprintf(new_spi_p, sizeof(new_spi_p), "%u", c->new_spi_p);
	snprintf(new_spi_u, sizeof(new_spi_u), "%u", c->new_spi_u);
	l->rpc->struct_add(h, "sdssssdssssss", "ue", c->ue_ip, "port", c->port,
			"state", c->state, "integrity", c->integrity ? c->integrity : "",
			"spi_p", spi_p, "spi_u", spi_u, "new_port", c->new_port,
			"new_spi_p", new_spi_p, "new_spi_u", new_spi_u, "cipher",
			c->cipher ? c->cipher : "", "call_id", c->call_id ? c->call_id : "",
			"impi", c->impi ? c->impi : "", "impu", c->impu ? c->impu : "");
}

static void rpc_list(rpc_t *rpc, void *ctx)
{
	listing_t l = {rpc, ctx, NULL, 0, 0};

	if(secsetup_list_contacts(add_contact, &l) != SECSETUP_OK)
		rpc->fault(ctx, 500, "cannot list contacts");
}

static void rpc_show(rpc_t *rpc, void *ctx)
{
	listing_t l = {rpc, ctx, NULL, 0, 0};
	char *ip = NULL;

	if(rpc->scan(ctx, "sd", &ip, &l.port) < 2) {
		rpc->fault(ctx, 400, "usage: secsetup.show <ue-ip> <port>");
		return;
	}
	l.ip = ip;
	if(secsetup_list_contacts(add_contact, &l) != SECSETUP_OK) {
		rpc->fault(ctx, 500, "cannot list contacts");
		return;
	}
	if(l.found == 0)
		rpc->fault(ctx, 404, "no such contact");
}

static void rpc_delete(rpc_t *rpc, void *ctx)
{
	char *ip = NULL;
	int port = 0, rc;
	secsetup_str_t ue;

	if(rpc->scan(ctx, "sd", &ip, &port) < 2 || port <= 0 || port > 65535) {
		rpc->fault(ctx, 400, "usage: secsetup.delete <ue-ip> <port>");
		return;
	}
	ue.s = ip;
	ue.len = strlen(ip);
	rc = secsetup_delete_contact(ue, (uint16_t)port);
	if(rc == SECSETUP_NOT_FOUND) {
		rpc->fault(ctx, 404, "no such contact");
		return;
	}
	if(rc != SECSETUP_OK) {
		rpc->fault(ctx, 500, "%s", secsetup_status_str(rc));
		return;
	}
	LM_NOTICE("operator deleted %s:%d and its SAs\n", ip, port);
	rpc->rpl_printf(ctx, "deleted %s:%d", ip, port);
}

static void rpc_stats(rpc_t *rpc, void *ctx)
{
	void *h;
	const char *name;
	uint64_t value, in_use, overflows;
	unsigned i;

	if(rpc->add(ctx, "{", &h) < 0)
		return;
	for(i = 0; secsetup_counter(i, &name, &value) == SECSETUP_OK; i++)
		rpc->struct_add(h, "j", name, (unsigned long)value);
	rpc->struct_add(h, "d", "kernel_sas_owned",
			secsetup_kernel() ? secsetup_xfrm_count_owned(secsetup_kernel()) : -1);
	secsetup_follow_pool_stats(&in_use, &overflows);
	rpc->struct_add(h, "jj", "register_records_in_use", (unsigned long)in_use,
			"register_records_overflow", (unsigned long)overflows);
}

static const char *list_doc[] = {"Lists every contact: state, ports, SPIs, algorithms (no keys).", 0};
static const char *show_doc[] = {"Shows one contact: secsetup.show <ue-ip> <port>.", 0};
static const char *delete_doc[] = {
		"Deletes a contact's SAs and state now: secsetup.delete <ue-ip> <port>.", 0};
static const char *stats_doc[] = {
		"Counters of negotiations, outcomes, SAs and discards, and owned kernel SAs.", 0};

rpc_export_t secsetup_rpc_cmds[] = {
	{"secsetup.list", rpc_list, list_doc, RET_ARRAY},
	{"secsetup.show", rpc_show, show_doc, 0},
	{"secsetup.delete", rpc_delete, delete_doc, 0},
	{"secsetup.stats", rpc_stats, stats_doc, 0},
	{0, 0, 0, 0}
};
