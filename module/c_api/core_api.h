/* The one C boundary between the Kamailio glue and the secsetup core.
 *
 * Plain C types only: (pointer, length) string views in, fixed buffers out, int status codes.
 * Every function is noexcept on the C++ side and catches everything: no exception crosses.
 * The glue extracts raw header values and addresses; all protocol logic and all parsing of
 * Security-setup, Authorization and WWW-Authenticate values happen behind this header.
 *
 * Process model: secsetup_core_init() in mod_init (before fork) builds the contact store in
 * the shared memory the glue's allocator hands out; secsetup_core_child_init() in each
 * child_init hands the process's kernel backend; the event functions are then called from
 * any worker. */
#ifndef SECSETUP_CORE_API_H
#define SECSETUP_CORE_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define SECSETUP_NOEXCEPT noexcept
extern "C" {
#else
#define SECSETUP_NOEXCEPT
#endif

enum secsetup_status {
	SECSETUP_OK = 0,
	SECSETUP_FAILED = -1,
	SECSETUP_INVALID_ARG = -2,
	SECSETUP_NOT_FOUND = -3,
	SECSETUP_OUT_OF_RESOURCES = -4,
	SECSETUP_INVALID_STATE = -5, /* e.g. an event before init/child_init */
	SECSETUP_TRUNCATED = -6      /* an output did not fit its buffer; nothing was applied */
};
const char *secsetup_status_str(int status) SECSETUP_NOEXCEPT;

typedef struct secsetup_str {
	const char *s;
	size_t len;
} secsetup_str_t;

/* Shared memory (Kamailio: shm_malloc/shm_free) and a lock set (lock_set_alloc) with
 * count >= 2 locks: count-1 stripes plus one for the free list. */
typedef struct secsetup_shm_ops {
	void *(*alloc)(void *ctx, size_t bytes);
	void (*release)(void *ctx, void *p);
	void *ctx;
} secsetup_shm_ops_t;

typedef struct secsetup_lock_ops {
	void (*lock)(void *ctx, unsigned index);
	void (*unlock)(void *ctx, unsigned index);
	void *ctx;
	unsigned count;
} secsetup_lock_ops_t;

/* Module parameters. Strings may be NULL for the default. */
typedef struct secsetup_params {
	const char *integrity_algs;  /* preference order, default "hmac-sha-1-96,hmac-md5-96" */
	const char *cipher_algs;     /* default "aes-cbc,des-ede3-cbc" ("null" may be added) */
	const char *confidentiality; /* "required" | "preferred" (default) | "off" */
	const char *failure_mode;    /* "forward" (default) | "reply" */
	const char *key_derivation;  /* "hmac-sha256" (default) | "rotate" | "none" */
	unsigned key_rotate_bits;    /* default 64 */
	unsigned protected_port;     /* default 5060 */
	unsigned unprotected_port;   /* default 5062 */
	uint32_t spi_min;            /* default 4096 */
	uint32_t spi_max;            /* default 0x7fffffff */
	unsigned registration_timer; /* s, default 60 */
	unsigned expiry_grace;       /* s, default 30 */
	unsigned delete_grace;       /* s, default 2 */
	unsigned retry_after;        /* s, default 30 */
	unsigned max_contacts;       /* default 10000 */
	unsigned max_negotiations_per_ue; /* initial negotiations per UE address, default 4; 0: any */
} secsetup_params_t;

void secsetup_params_default(secsetup_params_t *p) SECSETUP_NOEXCEPT;
/* Bytes of shared memory the store will ask for with these parameters and locks. */
size_t secsetup_core_shm_bytes(const secsetup_params_t *p, unsigned lock_count) SECSETUP_NOEXCEPT;

/* Opaque: a secsetup::kipsec::KernelIpsec* created by the kernel backend for this process. */
typedef struct secsetup_kernel secsetup_kernel_t;

int secsetup_core_init(const secsetup_params_t *p, const secsetup_shm_ops_t *shm,
		const secsetup_lock_ops_t *locks) SECSETUP_NOEXCEPT;
int secsetup_core_child_init(secsetup_kernel_t *kernel) SECSETUP_NOEXCEPT;
void secsetup_core_child_destroy(void) SECSETUP_NOEXCEPT;
void secsetup_core_destroy(void) SECSETUP_NOEXCEPT; /* main process, at shutdown: frees the store */

enum secsetup_path {
	SECSETUP_PATH_UNPROTECTED = 0, /* arrived on unprotected_port */
	SECSETUP_PATH_PROTECTED = 1,   /* arrived on protected_port */
	SECSETUP_PATH_OTHER = 2
};

enum secsetup_failure {
	SECSETUP_FAILURE_NONE = 0,
	SECSETUP_FAILURE_NO_COMMON_INTEGRITY = 1,
	SECSETUP_FAILURE_NO_COMMON_CONFIDENTIALITY = 2,
	SECSETUP_FAILURE_UNSUPPORTED_MECHANISM = 3,
	SECSETUP_FAILURE_MALFORMED = 4,
	SECSETUP_FAILURE_MISMATCH = 5,
	SECSETUP_FAILURE_USER_AUTHENTICATION = 6
};

/* An address in binary, as Kamailio holds it: family 4 or 6, bytes in network order (the
 * first 4 for IPv4). family 0: not given, the text beside it is read instead. The glue
 * passes this form, which spares every message a round trip through text. */
typedef struct secsetup_ip {
	int family;
	uint8_t bytes[16];
} secsetup_ip_t;

typedef struct secsetup_request {
	int is_register;
	int path; /* enum secsetup_path */
	secsetup_str_t src_ip;
	secsetup_ip_t src_addr; /* read instead of src_ip when its family is set */
	uint16_t src_port;
	secsetup_str_t local_ip;
	secsetup_ip_t local_addr; /* read instead of local_ip when its family is set */
	uint16_t local_port;
	secsetup_str_t call_id;
	secsetup_str_t impu;          /* REGISTER: To URI */
	secsetup_str_t authorization; /* raw value, {NULL,0} when absent */
	const secsetup_str_t *security_setup; /* every Security-setup value */
	size_t security_setup_count;
	long expires; /* REGISTER expiry asked for, -1 when absent */
	uint32_t cseq; /* the CSeq number, 0 when absent or not a number */
} secsetup_request_t;

/* The expiry a REGISTER asks for or its 2xx grants: the first contact's expires parameter,
 * else the Expires header; -1 when neither gives a number. contact / expires: the raw values
 * of the first Contact and the Expires header ({NULL,0} when absent). */
long secsetup_register_expires(secsetup_str_t contact, secsetup_str_t expires) SECSETUP_NOEXCEPT;

/* The Contact headers of a 2xx the core looks through for the UE's own binding. */
#define SECSETUP_MAX_CONTACT_HEADERS 16

typedef struct secsetup_reply {
	int to_register;
	secsetup_str_t src_ip; /* source of the request this reply answers */
	secsetup_ip_t src_addr; /* read instead of src_ip when its family is set */
	uint16_t src_port;
	secsetup_str_t call_id;
	int code;
	secsetup_str_t www_authenticate; /* raw value, {NULL,0} when absent */
	long expires;                    /* granted expiry (2xx), -1 when absent; read only when
	                                  * raw_bindings is 0 */
	int raw_bindings;                /* 2xx: the core reads the values below instead */
	const secsetup_str_t *contacts;  /* every Contact header's raw value */
	size_t contact_count;            /* at most SECSETUP_MAX_CONTACT_HEADERS */
	secsetup_str_t expires_header;   /* raw value, {NULL,0} when absent */
	int forwarded_failure;           /* enum secsetup_failure the glue kept on the transaction */
	int path;                        /* enum secsetup_path the REGISTER arrived on */
	uint32_t cseq;                   /* the REGISTER's CSeq number, 0 when unknown */
} secsetup_reply_t;

/* What happened, for the operator: the glue raises event_route[secsetup:<name>] once it has
 * carried out the actions (or sent the report). */
enum secsetup_event {
	SECSETUP_EVENT_NONE = 0,
	SECSETUP_EVENT_ESTABLISHED = 1, /* SM7 2xx: an initial or re-registration is established */
	SECSETUP_EVENT_FAILED = 2,      /* a negotiation refused (Failure) or aborted (500, 503) */
	SECSETUP_EVENT_AUTH_TIMEOUT = 3 /* the registration timer expired (D.2.2): reports only */
};

enum secsetup_verdict {
	SECSETUP_RELAY = 0, /* go on with the changes below */
	SECSETUP_DROP = 1,  /* discard silently, no reply */
	SECSETUP_REPLY = 2  /* answer the request with reply_code/reply_reason */
};

typedef struct secsetup_actions {
	int verdict;          /* enum secsetup_verdict */
	int reply_code;       /* REPLY: the code; on a reply: replace the code when non-zero */
	char reply_reason[32];
	int failure;          /* enum secsetup_failure: add "Failure: <failure_token>" */
	char failure_token[40];
	int strip_security_setup; /* remove Security-setup before relaying */
	int strip_failure;        /* remove every Failure header before relaying (then add failure) */
	char security_setup[256]; /* non-empty: add "Security-setup: <this>" to the reply (SM4) */
	int replace_www_authenticate; /* replace the WWW-Authenticate value the core was given by
	                               * www_authenticate; "" removes every WWW-Authenticate */
	char www_authenticate[1024];
	char warning[160];     /* non-empty: text for a Warning header */
	unsigned retry_after;  /* non-zero: add Retry-After */
	char log[192];         /* one line for the log; never holds key material */
	int event;             /* enum secsetup_event: raise it after carrying out the above */
	uint16_t event_port;   /* the UE's protected port concerned; 0: the request's source port */
	uint32_t event_spi_p;  /* SPI_P and SPI_U of the SA pair concerned; 0 when none */
	uint32_t event_spi_u;
	char event_reason[64]; /* FAILED: the Failure token or the cause; never key material */
} secsetup_actions_t;

/* Every challenge header of a reply to a REGISTER (WWW-Authenticate, Proxy-Authenticate)
 * other than the one secsetup_on_reply was given and rewrites itself: IK and CK are the
 * P-CSCF's alone (profile 5), whichever header, reply or socket they come with.
 *   SECSETUP_OK         the value had ik and/or ck: out holds it without them (*len bytes,
 *                       no NUL; never longer than value, so size >= value.len suffices);
 *   SECSETUP_NOT_FOUND  no key parameter: the header goes on as it is;
 *   anything else       the value cannot be read to its end, so a key may hide in it, or
 *                       the rewrite does not fit out: the header must not go on. */
int secsetup_challenge_without_keys(secsetup_str_t value, char *out, size_t size,
		size_t *len) SECSETUP_NOEXCEPT;

/* Last resort when the glue cannot edit a reply (no memory for its edits): overwrites, in
 * place, the value of every ik and ck parameter of one WWW-Authenticate value with '0', or
 * the whole value with 'x' if it cannot be read to its end, so that the reply can go on
 * unedited without key material. The length does not change; returns the bytes overwritten. */
size_t secsetup_scrub_challenge_keys(char *value, size_t len) SECSETUP_NOEXCEPT;

/* now: seconds (monotonic or wall clock, the same source for every call). */
int secsetup_on_request(const secsetup_request_t *req, uint64_t now, secsetup_actions_t *out) SECSETUP_NOEXCEPT;
int secsetup_on_reply(const secsetup_reply_t *rpl, uint64_t now, secsetup_actions_t *out) SECSETUP_NOEXCEPT;

/* A REGISTER the glue must send to the S-CSCF for that IMPI/Call-ID with "Failure: <failure>". */
typedef struct secsetup_report {
	const char *call_id;
	const char *impi;
	const char *impu;
	const char *ue_ip;
	uint16_t ue_port;
	const char *failure;
	int event;            /* enum secsetup_event: SECSETUP_EVENT_AUTH_TIMEOUT */
	uint32_t spi_p;       /* the pending pair the timer removed; 0 when none */
	uint32_t spi_u;
} secsetup_report_t;
typedef void (*secsetup_report_cb)(void *ctx, const secsetup_report_t *report);

/* Call about once a second from one process. */
int secsetup_on_timer(uint64_t now, secsetup_report_cb cb, void *ctx) SECSETUP_NOEXCEPT;
/* The kernel expired or removed an SA (dst, spi): its pair and registration go. */
int secsetup_on_kernel_expire(secsetup_str_t dst_ip, uint32_t spi) SECSETUP_NOEXCEPT;
/* Operator delete (RPC). */
int secsetup_delete_contact(secsetup_str_t ue_ip, uint16_t port) SECSETUP_NOEXCEPT;

typedef struct secsetup_contact_info {
	const char *ue_ip;
	uint16_t port;
	const char *state; /* "sm1-seen" "await-sm5" "await-sm7" "established" "closing" */
	uint32_t spi_p, spi_u;         /* active pair, 0 when none */
	uint16_t new_port;             /* re-registration pair, 0 when none */
	uint32_t new_spi_p, new_spi_u;
	const char *integrity;         /* of the active (else the new) pair */
	const char *cipher;
	uint64_t expires_at;
	const char *call_id;
	const char *impi;
	const char *impu;
} secsetup_contact_info_t;
typedef void (*secsetup_contact_cb)(void *ctx, const secsetup_contact_info_t *info);
int secsetup_list_contacts(secsetup_contact_cb cb, void *ctx) SECSETUP_NOEXCEPT;

/* Counters by index 0..: SECSETUP_OK with name/value, SECSETUP_NOT_FOUND past the end. */
int secsetup_counter(unsigned index, const char **name, uint64_t *value) SECSETUP_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* SECSETUP_CORE_API_H */
