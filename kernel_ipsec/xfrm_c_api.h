/* The kernel backend's C face, for the Kamailio glue: open one XFRM backend per process,
 * hand it to the core (secsetup_core_child_init), and the few operations the glue itself
 * runs (start/stop clean-up, expire notices). Every function catches everything. */
#ifndef SECSETUP_XFRM_C_API_H
#define SECSETUP_XFRM_C_API_H

#include <stdint.h>

#ifdef __cplusplus
#define SECSETUP_XFRM_NOEXCEPT noexcept
extern "C" {
#else
#define SECSETUP_XFRM_NOEXCEPT
#endif

/* Claims owner_tag in this network namespace for the process lifetime (kernel_ipsec/
 * owner_claim.h): call it before the first flush and keep the descriptor open. Returns it,
 * or -1 with *err (if given) set: EADDRINUSE when another instance holds the tag. */
int secsetup_xfrm_claim_owner_tag(uint32_t owner_tag, int *err) SECSETUP_XFRM_NOEXCEPT;

/* The same opaque type core_api.h takes. */
typedef struct secsetup_kernel secsetup_kernel_t;

typedef struct secsetup_xfrm_config {
	uint32_t owner_tag; /* marks every SA and policy this module creates */
	uint32_t spi_min;
	uint32_t spi_max;
} secsetup_xfrm_config_t;

/* NULL on failure; *err (if given) then holds the errno. */
secsetup_kernel_t *secsetup_xfrm_open(const secsetup_xfrm_config_t *cfg, int *err) SECSETUP_XFRM_NOEXCEPT;
void secsetup_xfrm_close(secsetup_kernel_t *k) SECSETUP_XFRM_NOEXCEPT;

/* 1 if the kernel can hold ESP SAs, 0 if not, -1 on error. */
int secsetup_xfrm_has_esp(secsetup_kernel_t *k) SECSETUP_XFRM_NOEXCEPT;
/* Number of SAs carrying the owner tag, or -1. */
int secsetup_xfrm_count_owned(secsetup_kernel_t *k) SECSETUP_XFRM_NOEXCEPT;
/* Removes every SA and policy carrying the owner tag: 0, or -errno. */
int secsetup_xfrm_flush_owned(secsetup_kernel_t *k) SECSETUP_XFRM_NOEXCEPT;

/* Descriptor that becomes readable when the kernel reports expired or deleted SAs (-1 if
 * none), and the call that drains it: cb once per SA, dst as text. Returns the count. */
int secsetup_xfrm_event_fd(secsetup_kernel_t *k) SECSETUP_XFRM_NOEXCEPT;
typedef void (*secsetup_xfrm_gone_cb)(void *ctx, const char *dst_ip, uint32_t spi);
int secsetup_xfrm_drain_expired(secsetup_kernel_t *k, secsetup_xfrm_gone_cb cb, void *ctx) SECSETUP_XFRM_NOEXCEPT;

const char *secsetup_xfrm_strerror(int err) SECSETUP_XFRM_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
