// XFRM message layouts (see xfrm_messages.h). Pure: no I/O, no globals.

#include "kernel_ipsec/xfrm_messages.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

namespace secsetup::kipsec::xfrm {
namespace {

uint16_t afOf(Family f) noexcept { return f == Family::V4 ? AF_INET : AF_INET6; }
uint8_t prefixOf(Family f) noexcept { return f == Family::V4 ? 32 : 128; }

void putAddr(xfrm_address_t& out, const IpAddress& a) noexcept {
  memset(&out, 0, sizeof(out));
  memcpy(&out, a.bytes.data(), a.family == Family::V4 ? 4 : 16);
}

IpAddress getAddr(const xfrm_address_t& in, uint16_t af) noexcept {
  IpAddress a;
  a.family = af == AF_INET6 ? Family::V6 : Family::V4;
  memcpy(a.bytes.data(), &in, a.family == Family::V4 ? 4 : 16);
  return a;
}

void infiniteLifetime(xfrm_lifetime_cfg& lft) noexcept {
  lft.soft_byte_limit = kInf;
  lft.hard_byte_limit = kInf;
  lft.soft_packet_limit = kInf;
  lft.hard_packet_limit = kInf;
}

nlmsghdr* header(void* buf, uint16_t type, uint32_t seq, uint16_t flags) noexcept {
  memset(buf, 0, kMsgMax);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  nlh->nlmsg_seq = seq;
  return nlh;
}

// An xfrm_algo / xfrm_algo_auth attribute with its key appended.
void putAlgo(nlmsghdr* nlh, uint16_t attrType, const char* name, const KeyBytes* key,
             bool auth, unsigned truncBits) noexcept {
  const std::size_t keyLen = key != nullptr ? key->size() : 0;
  const std::size_t head = auth ? sizeof(xfrm_algo_auth) : sizeof(xfrm_algo);
  alignas(8) uint8_t payload[sizeof(xfrm_algo_auth) + KeyBytes::kMax] = {};
  if (auth) {
    auto* a = reinterpret_cast<xfrm_algo_auth*>(payload);
    strncpy(a->alg_name, name, sizeof(a->alg_name) - 1);
    a->alg_key_len = static_cast<unsigned>(keyLen * 8);
    a->alg_trunc_len = truncBits;
    if (keyLen > 0) {
      memcpy(a->alg_key, key->data(), keyLen);
    }
  } else {
    auto* a = reinterpret_cast<xfrm_algo*>(payload);
    strncpy(a->alg_name, name, sizeof(a->alg_name) - 1);
    a->alg_key_len = static_cast<unsigned>(keyLen * 8);
    if (keyLen > 0) {
      memcpy(a->alg_key, key->data(), keyLen);
    }
  }
  mnl_attr_put(nlh, attrType, head + keyLen, payload);
  explicit_bzero(payload, sizeof(payload));  // the key now lives only in the message
}

// Calls f(attr) for every attribute after the fixed header of `extra` bytes.
template <typename F>
void forEachAttr(const nlmsghdr* nlh, std::size_t extra, F f) noexcept {
  const auto* tail = static_cast<const uint8_t*>(mnl_nlmsg_get_payload_tail(nlh));
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, extra));
  while (mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const uint8_t*>(a)))) {
    f(a);
    a = mnl_attr_next(a);
  }
}

}  // namespace

AlgSpec integritySpec(IntegrityAlg a) noexcept {
  switch (a) {
    case IntegrityAlg::HmacMd5_96:
      return {"hmac(md5)", 16, 96};
    case IntegrityAlg::HmacSha1_96:
      return {"hmac(sha1)", 20, 96};
  }
  return {"", 0, 0};
}

AlgSpec cipherSpec(CipherAlg c) noexcept {
  switch (c) {
    case CipherAlg::None:
    case CipherAlg::Null:
      return {"ecb(cipher_null)", 0, 0};
    case CipherAlg::AesCbc:
      return {"cbc(aes)", 16, 0};
    case CipherAlg::DesEde3Cbc:
      return {"cbc(des3_ede)", 24, 0};
  }
  return {"", 0, 0};
}

nlmsghdr* buildSa(void* buf, uint16_t type, uint32_t seq, uint16_t flags,
                  const SaSpec& sa) noexcept {
  nlmsghdr* nlh = header(buf, type, seq, flags);
  auto* p = static_cast<xfrm_usersa_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_usersa_info)));
  const uint16_t af = afOf(sa.dst.family);
  putAddr(p->sel.daddr, sa.dst);
  putAddr(p->sel.saddr, sa.src);
  p->sel.family = af;
  p->sel.prefixlen_d = prefixOf(sa.dst.family);
  p->sel.prefixlen_s = prefixOf(sa.src.family);
  p->sel.user = sa.selUser;
  putAddr(p->id.daddr, sa.dst);
  p->id.spi = htonl(sa.spi);
  p->id.proto = IPPROTO_ESP;
  putAddr(p->saddr, sa.src);
  infiniteLifetime(p->lft);
  p->reqid = sa.reqid;
  p->family = af;
  p->mode = XFRM_MODE_TRANSPORT;
  p->replay_window = sa.replayWindow;
  const AlgSpec ia = integritySpec(sa.integrity);
  putAlgo(nlh, XFRMA_ALG_AUTH_TRUNC, ia.name, sa.integrityKey, true, ia.truncBits);
  const AlgSpec ca = cipherSpec(sa.cipher);
  putAlgo(nlh, XFRMA_ALG_CRYPT, ca.name, ca.keyBytes > 0 ? sa.cipherKey : nullptr, false, 0);
  return nlh;
}

nlmsghdr* buildSaId(void* buf, uint16_t type, uint32_t seq, uint16_t flags, const IpAddress& dst,
                    uint32_t spi) noexcept {
  nlmsghdr* nlh = header(buf, type, seq, flags);
  auto* p = static_cast<xfrm_usersa_id*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_usersa_id)));
  putAddr(p->daddr, dst);
  p->spi = htonl(spi);
  p->family = afOf(dst.family);
  p->proto = IPPROTO_ESP;
  return nlh;
}

nlmsghdr* buildAllocSpi(void* buf, uint32_t seq, uint16_t flags, const IpAddress& src,
                        const IpAddress& dst, uint32_t reqid, uint32_t min, uint32_t max) noexcept {
  nlmsghdr* nlh = header(buf, XFRM_MSG_ALLOCSPI, seq, flags);
  auto* p = static_cast<xfrm_userspi_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userspi_info)));
  const uint16_t af = afOf(dst.family);
  putAddr(p->info.id.daddr, dst);
  p->info.id.proto = IPPROTO_ESP;
  putAddr(p->info.saddr, src);
  p->info.reqid = reqid;
  p->info.family = af;
  p->info.mode = XFRM_MODE_TRANSPORT;
  p->min = min;
  p->max = max;
  return nlh;
}

nlmsghdr* buildPolicy(void* buf, uint32_t seq, uint16_t flags, const PolicySpec& ps) noexcept {
  nlmsghdr* nlh = header(buf, XFRM_MSG_NEWPOLICY, seq, flags);
  auto* p = static_cast<xfrm_userpolicy_info*>(
      mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userpolicy_info)));
  p->sel = policyKeyOf(ps).sel;
  infiniteLifetime(p->lft);
  p->priority = ps.priority;
  p->dir = ps.dir;
  p->action = XFRM_POLICY_ALLOW;
  xfrm_user_tmpl t{};
  putAddr(t.id.daddr, ps.dst);
  t.id.spi = htonl(ps.tmplSpi);
  t.id.proto = IPPROTO_ESP;
  t.family = afOf(ps.dst.family);
  putAddr(t.saddr, ps.src);
  t.reqid = ps.tmplReqid;
  t.mode = XFRM_MODE_TRANSPORT;
  t.aalgos = ~0U;
  t.ealgos = ~0U;
  t.calgos = ~0U;
  mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
  return nlh;
}

PolicyKey policyKeyOf(const PolicySpec& ps) noexcept {
  PolicyKey k;
  putAddr(k.sel.daddr, ps.dst);
  putAddr(k.sel.saddr, ps.src);
  k.sel.family = afOf(ps.dst.family);
  k.sel.prefixlen_d = prefixOf(ps.dst.family);
  k.sel.prefixlen_s = prefixOf(ps.src.family);
  k.sel.proto = ps.proto;
  k.sel.dport = htons(ps.dport);
  k.sel.dport_mask = ps.dport != 0 ? 0xffff : 0;
  k.sel.sport = htons(ps.sport);
  k.sel.sport_mask = ps.sport != 0 ? 0xffff : 0;
  k.sel.user = ps.selUser;
  k.dir = ps.dir;
  return k;
}

nlmsghdr* buildDelPolicy(void* buf, uint32_t seq, uint16_t flags, const PolicyKey& k) noexcept {
  nlmsghdr* nlh = header(buf, XFRM_MSG_DELPOLICY, seq, flags);
  auto* p = static_cast<xfrm_userpolicy_id*>(
      mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userpolicy_id)));
  p->sel = k.sel;
  p->index = k.index;
  p->dir = k.dir;
  return nlh;
}

nlmsghdr* buildDump(void* buf, uint16_t type, uint32_t seq) noexcept {
  // A dump request is the bare header. The kernel hands GETSA/GETPOLICY dumps to their dump
  // callbacks before it checks the fixed header of a single GET: xfrm_dump_sa parses
  // whatever follows the netlink header as attributes (optional XFRMA_ADDRESS_FILTER and
  // XFRMA_PROTO filters) and xfrm_dump_policy reads nothing. A struct there is read as
  // attributes and logged as "bytes leftover after parsing attributes".
  return header(buf, type, seq, NLM_F_DUMP);
}

nlmsghdr* buildEspProbe(void* buf, uint32_t seq, Family f) noexcept {
  IpAddress a;
  a.family = f;
  if (f == Family::V4) {
    a.bytes[0] = 127;
    a.bytes[3] = 1;
  } else {
    a.bytes[15] = 1;
  }
  static const uint8_t zeros[20] = {};
  KeyBytes key(zeros, sizeof(zeros));
  SaSpec sa;
  sa.src = a;
  sa.dst = a;
  sa.spi = 1;  // SPIs 1..255 are reserved: no real SA can carry it
  sa.integrity = IntegrityAlg::HmacSha1_96;
  sa.cipher = CipherAlg::Null;
  sa.integrityKey = &key;
  return buildSa(buf, XFRM_MSG_UPDSA, seq, NLM_F_ACK, sa);
}

bool parseSa(const nlmsghdr* nlh, SaDump& out) noexcept {
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(xfrm_usersa_info))) {
    return false;
  }
  const auto* p = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  out = SaDump{};
  out.info.src = getAddr(p->saddr, p->family);
  out.info.dst = getAddr(p->id.daddr, p->family);
  out.info.spi = ntohl(p->id.spi);
  out.info.lastUse = p->curlft.use_time;
  out.info.packets = p->curlft.packets;
  out.reqid = p->reqid;
  out.selUser = p->sel.user;
  bool hasAlg = false;
  forEachAttr(nlh, sizeof(xfrm_usersa_info), [&](const nlattr* attr) {
    const uint16_t t = mnl_attr_get_type(attr);
    if (t == XFRMA_ALG_AUTH || t == XFRMA_ALG_AUTH_TRUNC || t == XFRMA_ALG_CRYPT ||
        t == XFRMA_ALG_AEAD || t == XFRMA_ALG_COMP) {
      hasAlg = true;
    }
  });
  out.larval = !hasAlg;
  return true;
}

bool parseAllocSpi(const nlmsghdr* nlh, uint32_t& spi) noexcept {
  SaDump d;
  if (nlh->nlmsg_type != XFRM_MSG_NEWSA || !parseSa(nlh, d)) {
    return false;
  }
  spi = d.info.spi;
  return true;
}

bool parsePolicy(const nlmsghdr* nlh, PolicyDump& out) noexcept {
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(xfrm_userpolicy_info))) {
    return false;
  }
  const auto* p = static_cast<const xfrm_userpolicy_info*>(mnl_nlmsg_get_payload(nlh));
  out = PolicyDump{};
  out.key.sel = p->sel;
  out.key.dir = p->dir;
  out.key.index = p->index;
  out.selUser = p->sel.user;
  return true;
}

bool parseSaEvent(const nlmsghdr* nlh, SaGone& out, uint32_t& reqid) noexcept {
  if (nlh->nlmsg_type == XFRM_MSG_EXPIRE) {
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(xfrm_user_expire))) {
      return false;
    }
    const auto* e = static_cast<const xfrm_user_expire*>(mnl_nlmsg_get_payload(nlh));
    out.dst = getAddr(e->state.id.daddr, e->state.family);
    out.spi = ntohl(e->state.id.spi);
    out.hard = e->hard != 0;
    reqid = e->state.reqid;
    return true;
  }
  if (nlh->nlmsg_type == XFRM_MSG_DELSA) {
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(xfrm_usersa_id))) {
      return false;
    }
    const auto* id = static_cast<const xfrm_usersa_id*>(mnl_nlmsg_get_payload(nlh));
    out.dst = getAddr(id->daddr, id->family);
    out.spi = ntohl(id->spi);
    out.hard = true;
    reqid = 0;
    forEachAttr(nlh, sizeof(xfrm_usersa_id), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == XFRMA_SA &&
          mnl_attr_get_payload_len(attr) >= sizeof(xfrm_usersa_info)) {
        const auto* info = static_cast<const xfrm_usersa_info*>(mnl_attr_get_payload(attr));
        reqid = info->reqid;
      }
    });
    return true;
  }
  return false;
}

void corruptForTest(nlmsghdr* nlh) noexcept {
  if (nlh->nlmsg_type == XFRM_MSG_NEWPOLICY) {
    static_cast<xfrm_userpolicy_info*>(mnl_nlmsg_get_payload(nlh))->dir = 0xff;
  } else if (nlh->nlmsg_type == XFRM_MSG_NEWSA || nlh->nlmsg_type == XFRM_MSG_UPDSA) {
    static_cast<xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh))->mode = 0xff;
  }
}

}  // namespace secsetup::kipsec::xfrm
