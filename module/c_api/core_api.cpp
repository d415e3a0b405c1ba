// The extern "C" boundary (core_api.h): converts C views to the engine's facts and the
// engine's actions to fixed C buffers. Every function catches everything.

#include "module/c_api/core_api.h"

#include <cstring>
#include <memory>
#include <string>
#include <sys/random.h>

#include "module/wire/auth_params.h"
#include "module/c_api/core_api_convert.h"
#include "module/negotiation/engine.h"
#include "module/wire/register_expires.h"

using namespace secsetup;
using namespace secsetup::capi;

namespace {

struct Globals {
  ContactStore* store = nullptr;
  void* arena = nullptr;
  secsetup_shm_ops_t shm{};
  Policy policy;
  std::unique_ptr<Engine> engine;  // per process (child_init)
};

Globals& globals() {
  static Globals g;
  return g;
}

static_assert(static_cast<int>(FailureReason::UserAuthenticationFailure) ==
                  SECSETUP_FAILURE_USER_AUTHENTICATION,
              "C and C++ failure codes agree");
static_assert(static_cast<int>(Event::Established) == SECSETUP_EVENT_ESTABLISHED &&
                  static_cast<int>(Event::Failed) == SECSETUP_EVENT_FAILED &&
                  static_cast<int>(Event::AuthTimeout) == SECSETUP_EVENT_AUTH_TIMEOUT,
              "C and C++ event codes agree");

}  // namespace

extern "C" {

long secsetup_register_expires(secsetup_str_t contact, secsetup_str_t expires) noexcept {
  return secsetup::registerExpires(std::string_view(contact.s != nullptr ? contact.s : "", contact.len),
                                   std::string_view(expires.s != nullptr ? expires.s : "", expires.len));
}

int secsetup_challenge_without_keys(secsetup_str_t value, char* out, size_t size,
                                    size_t* len) noexcept {
  try {
    if (out == nullptr || len == nullptr) {
      return SECSETUP_INVALID_ARG;
    }
    secsetup::AkaKeys keys;  // wiped when it goes: these keys are for no SA
    std::string rewritten;
    secsetup::ChallengeKeys ck = secsetup::extractChallengeKeys(view(value), keys, rewritten);
    if (!ck.parsed) {
      return SECSETUP_INVALID_ARG;
    }
    if (!ck.hadIk && !ck.hadCk) {
      return SECSETUP_NOT_FOUND;
    }
    if (rewritten.size() > size) {
      return SECSETUP_TRUNCATED;
    }
    std::memcpy(out, rewritten.data(), rewritten.size());
    *len = rewritten.size();
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

size_t secsetup_scrub_challenge_keys(char* value, size_t len) noexcept {
  return secsetup::scrubChallengeKeys(value, len);
}

const char* secsetup_status_str(int status) noexcept {
  switch (status) {
    case SECSETUP_OK:
      return "ok";
    case SECSETUP_INVALID_ARG:
      return "invalid argument";
    case SECSETUP_NOT_FOUND:
      return "not found";
    case SECSETUP_OUT_OF_RESOURCES:
      return "out of resources";
    case SECSETUP_INVALID_STATE:
      return "invalid state";
    case SECSETUP_TRUNCATED:
      return "output truncated";
    default:
      return "failed";
  }
}

void secsetup_params_default(secsetup_params_t* p) noexcept {
  if (p == nullptr) {
    return;
  }
  Policy d;
  std::memset(p, 0, sizeof(*p));
  p->key_rotate_bits = d.keyRotateBits;
  p->protected_port = d.protectedPort;
  p->unprotected_port = d.unprotectedPort;
  p->spi_min = d.spiMin;
  p->spi_max = d.spiMax;
  p->registration_timer = d.registrationTimer;
  p->expiry_grace = d.expiryGrace;
  p->delete_grace = d.deleteGrace;
  p->retry_after = d.retryAfter;
  p->max_negotiations_per_ue = d.maxNegotiationsPerUe;
  p->max_contacts = 10000;
}

size_t secsetup_core_shm_bytes(const secsetup_params_t* p, unsigned lock_count) noexcept {
  if (p == nullptr || lock_count < 2) {
    return 0;
  }
  return ContactStore::bytesFor(p->max_contacts, lock_count - 1) + 64;
}

int secsetup_core_init(const secsetup_params_t* p, const secsetup_shm_ops_t* shm,
                       const secsetup_lock_ops_t* locks) noexcept {
  try {
    Globals& g = globals();
    if (p == nullptr || shm == nullptr || locks == nullptr || shm->alloc == nullptr ||
        g.store != nullptr) {
      return g.store != nullptr ? SECSETUP_INVALID_STATE : SECSETUP_INVALID_ARG;
    }
    Policy pol;
    if (buildPolicy(p, pol) != Status::Ok || locks->count < 2) {
      return SECSETUP_INVALID_ARG;
    }
    // HMAC-SHA-256 and SipHash come from OpenSSL's provider: fetched here, before the
    // workers fork.
    if (!keyDerivationAvailable() || !keyedHashAvailable()) {
      return SECSETUP_FAILED;
    }
    // The store's index key: secret, so that UEs cannot choose Call-IDs, addresses or SPIs
    // that share a bucket. No start without it (time and pid are guessable).
    HashKey key;
    if (getrandom(key.bytes, sizeof(key.bytes), 0) != static_cast<ssize_t>(sizeof(key.bytes))) {
      return SECSETUP_FAILED;
    }
    std::size_t bytes = secsetup_core_shm_bytes(p, locks->count);
    void* raw = shm->alloc(shm->ctx, bytes);
    if (raw == nullptr) {
      return SECSETUP_OUT_OF_RESOURCES;
    }
    auto addr = reinterpret_cast<uintptr_t>(raw);
    void* aligned = reinterpret_cast<void*>((addr + 63) & ~static_cast<uintptr_t>(63));
    LockOps ops;
    ops.lock = locks->lock;
    ops.unlock = locks->unlock;
    ops.ctx = locks->ctx;
    ops.count = locks->count;
    ContactStore* store = ContactStore::create(aligned, bytes - 64, p->max_contacts, ops, key);
    if (store == nullptr) {
      if (shm->release) {
        shm->release(shm->ctx, raw);
      }
      return SECSETUP_INVALID_ARG;
    }
    g.store = store;
    g.arena = raw;
    g.shm = *shm;
    g.policy = pol;
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_core_child_init(secsetup_kernel_t* kernel) noexcept {
  try {
    Globals& g = globals();
    if (g.store == nullptr) {
      return SECSETUP_INVALID_STATE;
    }
    if (kernel == nullptr) {
      return SECSETUP_INVALID_ARG;
    }
    auto* k = reinterpret_cast<kipsec::KernelIpsec*>(kernel);
    g.engine = std::make_unique<Engine>(*g.store, g.policy, *k);
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

void secsetup_core_child_destroy(void) noexcept {
  try {
    globals().engine.reset();
  } catch (...) {
  }
}

void secsetup_core_destroy(void) noexcept {
  try {
    Globals& g = globals();
    g.engine.reset();
    if (g.arena != nullptr && g.shm.release != nullptr) {
      g.shm.release(g.shm.ctx, g.arena);
    }
    g.arena = nullptr;
    g.store = nullptr;
  } catch (...) {
  }
}

int secsetup_on_request(const secsetup_request_t* req, uint64_t now, secsetup_actions_t* out) noexcept {
  try {
    Globals& g = globals();
    if (req == nullptr || out == nullptr) {
      return SECSETUP_INVALID_ARG;
    }
    if (!g.engine) {
      return SECSETUP_INVALID_STATE;
    }
    if (req->path < SECSETUP_PATH_UNPROTECTED || req->path > SECSETUP_PATH_OTHER ||
        req->security_setup_count > 16 ||
        (req->security_setup_count > 0 && req->security_setup == nullptr)) {
      return SECSETUP_INVALID_ARG;
    }
    RequestFacts f;
    f.isRegister = req->is_register != 0;
    f.path = static_cast<Path>(req->path);
    if (!readIp(req->src_addr, req->src_ip, f.source) ||
        (f.path != Path::Other && !readIp(req->local_addr, req->local_ip, f.local))) {
      return SECSETUP_INVALID_ARG;
    }
    f.sourcePort = req->src_port;
    f.localPort = req->local_port;
    f.callId = view(req->call_id);
    f.impu = view(req->impu);
    f.authorization = view(req->authorization);
    std::string_view views[16];
    for (std::size_t i = 0; i < req->security_setup_count; ++i) {
      views[i] = view(req->security_setup[i]);
    }
    f.securitySetup = views;
    f.securitySetupCount = req->security_setup_count;
    f.expires = req->expires;
    f.cseq = req->cseq;
    return fillActions(g.engine->onRequest(f, now), out);
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_on_reply(const secsetup_reply_t* rpl, uint64_t now, secsetup_actions_t* out) noexcept {
  try {
    Globals& g = globals();
    if (rpl == nullptr || out == nullptr) {
      return SECSETUP_INVALID_ARG;
    }
    if (!g.engine) {
      return SECSETUP_INVALID_STATE;
    }
    if (rpl->forwarded_failure < 0 || rpl->forwarded_failure > SECSETUP_FAILURE_USER_AUTHENTICATION ||
        rpl->path < SECSETUP_PATH_UNPROTECTED || rpl->path > SECSETUP_PATH_OTHER) {
      return SECSETUP_INVALID_ARG;
    }
    ReplyFacts f;
    f.toRegister = rpl->to_register != 0;
    if (!readIp(rpl->src_addr, rpl->src_ip, f.source)) {
      return SECSETUP_INVALID_ARG;
    }
    f.sourcePort = rpl->src_port;
    f.callId = view(rpl->call_id);
    f.code = rpl->code;
    f.wwwAuthenticate = view(rpl->www_authenticate);
    f.expires = rpl->expires;
    f.forwardedFailure = static_cast<FailureReason>(rpl->forwarded_failure);
    f.path = static_cast<Path>(rpl->path);
    std::string_view contacts[SECSETUP_MAX_CONTACT_HEADERS];
    if (rpl->raw_bindings != 0) {
      if (rpl->contact_count > SECSETUP_MAX_CONTACT_HEADERS ||
          (rpl->contact_count > 0 && rpl->contacts == nullptr)) {
        return SECSETUP_INVALID_ARG;
      }
      for (std::size_t i = 0; i < rpl->contact_count; ++i) {
        contacts[i] = view(rpl->contacts[i]);
      }
      f.rawBindings = true;
      f.contacts = contacts;
      f.contactCount = rpl->contact_count;
      f.expiresHeader = view(rpl->expires_header);
    }
    f.cseq = rpl->cseq;
    int rc = fillActions(g.engine->onReply(f, now), out);
    if (rc == SECSETUP_TRUNCATED && out->replace_www_authenticate) {
      // The rewritten challenge did not fit: never forward the original (it holds the keys).
      out->www_authenticate[0] = '\0';
      out->reply_code = 500;
      copyOut(out->reply_reason, sizeof(out->reply_reason), "Server Internal Error");
    }
    return rc;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_on_timer(uint64_t now, secsetup_report_cb cb, void* ctx) noexcept {
  try {
    Globals& g = globals();
    if (!g.engine) {
      return SECSETUP_INVALID_STATE;
    }
    std::vector<Report> reports;
    g.engine->onTimer(now, reports);
    if (cb != nullptr) {
      for (const Report& r : reports) {
        std::string ip = r.ue.toString();
        secsetup_report_t c{r.callId.c_str(), r.impi.c_str(), r.impu.c_str(), ip.c_str(),
                            r.uePort, toString(r.reason), static_cast<int>(r.event), r.spiP,
                            r.spiU};
        cb(ctx, &c);
      }
    }
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_on_kernel_expire(secsetup_str_t dst_ip, uint32_t spi) noexcept {
  try {
    Globals& g = globals();
    if (!g.engine) {
      return SECSETUP_INVALID_STATE;
    }
    kipsec::SaGone gone;
    if (!parseIp(dst_ip, gone.dst)) {
      return SECSETUP_INVALID_ARG;
    }
    gone.spi = spi;
    g.engine->onSaGone(gone);
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_delete_contact(secsetup_str_t ue_ip, uint16_t port) noexcept {
  try {
    Globals& g = globals();
    if (!g.engine) {
      return SECSETUP_INVALID_STATE;
    }
    kipsec::IpAddress ue;
    if (!parseIp(ue_ip, ue)) {
      return SECSETUP_INVALID_ARG;
    }
    return toC(g.engine->deleteContact(ue, port));
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_list_contacts(secsetup_contact_cb cb, void* ctx) noexcept {
  try {
    Globals& g = globals();
    if (!g.engine || cb == nullptr) {
      return g.engine ? SECSETUP_INVALID_ARG : SECSETUP_INVALID_STATE;
    }
    std::vector<ContactView> all;
    Status s = g.engine->listContacts(all);
    if (s != Status::Ok) {
      return toC(s);
    }
    for (const ContactView& v : all) {
      std::string ip = v.ue.toString();
      const PairSlot& shown = v.active.state != PairState::Empty ? v.active : v.pending;
      secsetup_contact_info_t c{};
      c.ue_ip = ip.c_str();
      c.port = v.port;
      c.state = phaseName(v.phase);
      c.spi_p = v.active.spiP;
      c.spi_u = v.active.spiU;
      c.new_port = v.pending.uePort;
      c.new_spi_p = v.pending.spiP;
      c.new_spi_u = v.pending.spiU;
      c.integrity = shown.state != PairState::Empty
                        ? wireName(static_cast<IntegrityAlg>(shown.integrity))
                        : "";
      c.cipher = shown.state != PairState::Empty ? wireName(static_cast<CipherAlg>(shown.cipher))
                                                 : "";
      c.expires_at = v.expiresAt;
      c.call_id = v.callId.c_str();
      c.impi = v.impi.c_str();
      c.impu = v.impu.c_str();
      cb(ctx, &c);
    }
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

int secsetup_counter(unsigned index, const char** name, uint64_t* value) noexcept {
  try {
    Globals& g = globals();
    if (g.store == nullptr) {
      return SECSETUP_INVALID_STATE;
    }
    if (index >= static_cast<unsigned>(Counter::Count_)) {
      return SECSETUP_NOT_FOUND;
    }
    auto c = static_cast<Counter>(index);
    if (name != nullptr) {
      *name = toString(c);
    }
    if (value != nullptr) {
      *value = g.store->counter(c);
    }
    return SECSETUP_OK;
  } catch (...) {
    return SECSETUP_FAILED;
  }
}

}  // extern "C"
