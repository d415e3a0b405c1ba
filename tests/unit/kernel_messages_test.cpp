// Byte layouts of the XFRM messages, the readers of kernel answers, errno mapping, batches.

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include <cstring>
#include <vector>

#include "kernel_ipsec/netlink_socket.h"
#include "kernel_ipsec/xfrm_messages.h"

namespace secsetup::kipsec {
namespace {

using namespace xfrm;

IpAddress ip(const char* s) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(s, a)) << s;
  return a;
}

struct Buf {
  alignas(8) uint8_t bytes[kMsgMax];
};

// Finds attribute `type` after `extra` bytes of fixed header, or nullptr.
const nlattr* findAttr(const nlmsghdr* nlh, std::size_t extra, uint16_t type) {
  const auto* tail = static_cast<const uint8_t*>(mnl_nlmsg_get_payload_tail(nlh));
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, extra));
  while (mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const uint8_t*>(a)))) {
    if (mnl_attr_get_type(a) == type) {
      return a;
    }
    a = mnl_attr_next(a);
  }
  return nullptr;
}

TEST(XfrmLayout, KernelStructSizes) {
  // The uapi sizes the builders rely on (x86-64 and every 64-bit ABI the kernel supports).
  EXPECT_EQ(56u, sizeof(xfrm_selector));
  EXPECT_EQ(224u, sizeof(xfrm_usersa_info));
  EXPECT_EQ(168u, sizeof(xfrm_userpolicy_info));
  EXPECT_EQ(64u, sizeof(xfrm_user_tmpl));
  EXPECT_EQ(24u, sizeof(xfrm_usersa_id));
  EXPECT_EQ(232u, sizeof(xfrm_userspi_info));
  EXPECT_EQ(64u, sizeof(xfrm_userpolicy_id));
  EXPECT_EQ(68u, sizeof(xfrm_algo));
  EXPECT_EQ(72u, sizeof(xfrm_algo_auth));
}

TEST(XfrmLayout, AlgorithmsOfProfileSection5) {
  EXPECT_STREQ("hmac(md5)", integritySpec(IntegrityAlg::HmacMd5_96).name);
  EXPECT_EQ(16u, integritySpec(IntegrityAlg::HmacMd5_96).keyBytes);
  EXPECT_EQ(96u, integritySpec(IntegrityAlg::HmacMd5_96).truncBits);
  EXPECT_STREQ("hmac(sha1)", integritySpec(IntegrityAlg::HmacSha1_96).name);
  EXPECT_EQ(20u, integritySpec(IntegrityAlg::HmacSha1_96).keyBytes);
  EXPECT_EQ(96u, integritySpec(IntegrityAlg::HmacSha1_96).truncBits);
  EXPECT_STREQ("cbc(aes)", cipherSpec(CipherAlg::AesCbc).name);
  EXPECT_EQ(16u, cipherSpec(CipherAlg::AesCbc).keyBytes);
  EXPECT_STREQ("cbc(des3_ede)", cipherSpec(CipherAlg::DesEde3Cbc).name);
  EXPECT_EQ(24u, cipherSpec(CipherAlg::DesEde3Cbc).keyBytes);
  EXPECT_STREQ("ecb(cipher_null)", cipherSpec(CipherAlg::Null).name);
  EXPECT_STREQ("ecb(cipher_null)", cipherSpec(CipherAlg::None).name);
  EXPECT_EQ(0u, cipherSpec(CipherAlg::None).keyBytes);
}

TEST(XfrmLayout, NewSaIpv4) {
  uint8_t ik[20];
  uint8_t ck[16];
  for (int i = 0; i < 20; ++i) {
    ik[i] = static_cast<uint8_t>(0xa0 + i);
  }
  for (int i = 0; i < 16; ++i) {
    ck[i] = static_cast<uint8_t>(0xc0 + i);
  }
  KeyBytes ikb(ik, 20), ckb(ck, 16);
  SaSpec sa;
  sa.src = ip("192.0.2.10");
  sa.dst = ip("192.0.2.20");
  sa.spi = 0x12345678;
  sa.reqid = 77;
  sa.selUser = 88;
  sa.integrity = IntegrityAlg::HmacSha1_96;
  sa.cipher = CipherAlg::AesCbc;
  sa.integrityKey = &ikb;
  sa.cipherKey = &ckb;
  Buf b;
  nlmsghdr* nlh = buildSa(b.bytes, XFRM_MSG_NEWSA, 42, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sa);
  EXPECT_EQ(XFRM_MSG_NEWSA, nlh->nlmsg_type);
  EXPECT_EQ(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, nlh->nlmsg_flags);
  EXPECT_EQ(42u, nlh->nlmsg_seq);
  const auto* p = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(AF_INET, p->family);
  EXPECT_EQ(AF_INET, p->sel.family);
  EXPECT_EQ(32, p->sel.prefixlen_d);
  EXPECT_EQ(32, p->sel.prefixlen_s);
  EXPECT_EQ(0, p->sel.proto);
  EXPECT_EQ(88u, p->sel.user);
  EXPECT_EQ(77u, p->reqid);
  EXPECT_EQ(XFRM_MODE_TRANSPORT, p->mode);
  EXPECT_EQ(IPPROTO_ESP, p->id.proto);
  const uint8_t spiWire[4] = {0x12, 0x34, 0x56, 0x78};
  EXPECT_EQ(0, std::memcmp(&p->id.spi, spiWire, 4));
  const uint8_t dst[4] = {192, 0, 2, 20};
  EXPECT_EQ(0, std::memcmp(&p->id.daddr, dst, 4));
  const uint8_t src[4] = {192, 0, 2, 10};
  EXPECT_EQ(0, std::memcmp(&p->saddr, src, 4));
  // Profile 6: no kernel expiry, every limit XFRM_INF (0 would expire on the first packet).
  EXPECT_EQ(kInf, p->lft.soft_byte_limit);
  EXPECT_EQ(kInf, p->lft.hard_byte_limit);
  EXPECT_EQ(kInf, p->lft.soft_packet_limit);
  EXPECT_EQ(kInf, p->lft.hard_packet_limit);
  EXPECT_EQ(0u, p->lft.hard_add_expires_seconds);

  const nlattr* auth = findAttr(nlh, sizeof(xfrm_usersa_info), XFRMA_ALG_AUTH_TRUNC);
  ASSERT_NE(nullptr, auth);
  EXPECT_EQ(sizeof(xfrm_algo_auth) + 20, mnl_attr_get_payload_len(auth));
  const auto* a = static_cast<const xfrm_algo_auth*>(mnl_attr_get_payload(auth));
  EXPECT_STREQ("hmac(sha1)", a->alg_name);
  EXPECT_EQ(160u, a->alg_key_len);
  EXPECT_EQ(96u, a->alg_trunc_len);
  EXPECT_EQ(0, std::memcmp(a->alg_key, ik, 20));
  const nlattr* crypt = findAttr(nlh, sizeof(xfrm_usersa_info), XFRMA_ALG_CRYPT);
  ASSERT_NE(nullptr, crypt);
  const auto* c = static_cast<const xfrm_algo*>(mnl_attr_get_payload(crypt));
  EXPECT_STREQ("cbc(aes)", c->alg_name);
  EXPECT_EQ(128u, c->alg_key_len);
  EXPECT_EQ(0, std::memcmp(c->alg_key, ck, 16));
  EXPECT_EQ(NLMSG_LENGTH(sizeof(xfrm_usersa_info)) + MNL_ALIGN(4 + 72 + 20) + MNL_ALIGN(4 + 68 + 16),
            nlh->nlmsg_len);
}

TEST(XfrmLayout, IntegrityOnlyUsesNullCipherWithEmptyKey) {
  uint8_t ik[16] = {1};
  KeyBytes ikb(ik, 16), ckb(ik, 16);
  SaSpec sa;
  sa.src = ip("2001:db8::1");
  sa.dst = ip("2001:db8::2");
  sa.spi = 1000;
  sa.integrity = IntegrityAlg::HmacMd5_96;
  sa.cipher = CipherAlg::None;
  sa.integrityKey = &ikb;
  sa.cipherKey = &ckb;  // ignored: None takes no key
  Buf b;
  nlmsghdr* nlh = buildSa(b.bytes, XFRM_MSG_UPDSA, 1, NLM_F_ACK, sa);
  const auto* p = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(AF_INET6, p->family);
  EXPECT_EQ(128, p->sel.prefixlen_d);
  const nlattr* crypt = findAttr(nlh, sizeof(xfrm_usersa_info), XFRMA_ALG_CRYPT);
  ASSERT_NE(nullptr, crypt);
  const auto* c = static_cast<const xfrm_algo*>(mnl_attr_get_payload(crypt));
  EXPECT_STREQ("ecb(cipher_null)", c->alg_name);
  EXPECT_EQ(0u, c->alg_key_len);
  EXPECT_EQ(sizeof(xfrm_algo), mnl_attr_get_payload_len(crypt));
  const auto* a = static_cast<const xfrm_algo_auth*>(
      mnl_attr_get_payload(findAttr(nlh, sizeof(xfrm_usersa_info), XFRMA_ALG_AUTH_TRUNC)));
  EXPECT_STREQ("hmac(md5)", a->alg_name);
  EXPECT_EQ(128u, a->alg_key_len);
}

TEST(XfrmLayout, PolicyWithPortsAndTemplate) {
  PolicySpec ps;
  ps.src = ip("192.0.2.10");
  ps.dst = ip("192.0.2.20");
  ps.sport = 5064;
  ps.dport = 5060;
  ps.proto = IPPROTO_TCP;
  ps.dir = XFRM_POLICY_IN;
  ps.selUser = 99;
  ps.priority = 7;
  ps.tmplSpi = 0x1000;
  ps.tmplReqid = 99;
  Buf b;
  nlmsghdr* nlh = buildPolicy(b.bytes, 5, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ps);
  EXPECT_EQ(XFRM_MSG_NEWPOLICY, nlh->nlmsg_type);
  const auto* p = static_cast<const xfrm_userpolicy_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(htons(5064), p->sel.sport);
  EXPECT_EQ(0xffff, p->sel.sport_mask);
  EXPECT_EQ(htons(5060), p->sel.dport);
  EXPECT_EQ(0xffff, p->sel.dport_mask);
  EXPECT_EQ(IPPROTO_TCP, p->sel.proto);
  EXPECT_EQ(99u, p->sel.user);
  EXPECT_EQ(XFRM_POLICY_IN, p->dir);
  EXPECT_EQ(XFRM_POLICY_ALLOW, p->action);
  EXPECT_EQ(7u, p->priority);
  EXPECT_EQ(kInf, p->lft.hard_packet_limit);
  const nlattr* t = findAttr(nlh, sizeof(xfrm_userpolicy_info), XFRMA_TMPL);
  ASSERT_NE(nullptr, t);
  ASSERT_EQ(sizeof(xfrm_user_tmpl), mnl_attr_get_payload_len(t));
  const auto* tmpl = static_cast<const xfrm_user_tmpl*>(mnl_attr_get_payload(t));
  EXPECT_EQ(htonl(0x1000), tmpl->id.spi);
  EXPECT_EQ(IPPROTO_ESP, tmpl->id.proto);
  EXPECT_EQ(XFRM_MODE_TRANSPORT, tmpl->mode);
  EXPECT_EQ(99u, tmpl->reqid);
  EXPECT_EQ(AF_INET, tmpl->family);
  EXPECT_EQ(0, tmpl->optional);
}

TEST(XfrmLayout, AnyPortLeavesMaskZero) {
  PolicySpec ps;
  ps.src = ip("192.0.2.20");
  ps.dst = ip("192.0.2.10");
  ps.dport = 5064;
  ps.proto = IPPROTO_UDP;
  const PolicyKey k = policyKeyOf(ps);
  EXPECT_EQ(0, k.sel.sport);
  EXPECT_EQ(0, k.sel.sport_mask);
  EXPECT_EQ(0xffff, k.sel.dport_mask);
  Buf b;
  nlmsghdr* nlh = buildDelPolicy(b.bytes, 9, NLM_F_ACK, k);
  EXPECT_EQ(XFRM_MSG_DELPOLICY, nlh->nlmsg_type);
  const auto* id = static_cast<const xfrm_userpolicy_id*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(0, std::memcmp(&id->sel, &k.sel, sizeof(k.sel)));
  EXPECT_EQ(NLMSG_LENGTH(sizeof(xfrm_userpolicy_id)), nlh->nlmsg_len);
}

TEST(XfrmLayout, AllocSpiRange) {
  Buf b;
  nlmsghdr* nlh =
      buildAllocSpi(b.bytes, 3, NLM_F_ACK, ip("192.0.2.10"), ip("192.0.2.20"), 55, 4096, 8191);
  EXPECT_EQ(XFRM_MSG_ALLOCSPI, nlh->nlmsg_type);
  const auto* p = static_cast<const xfrm_userspi_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(4096u, p->min);
  EXPECT_EQ(8191u, p->max);
  EXPECT_EQ(55u, p->info.reqid);
  EXPECT_EQ(IPPROTO_ESP, p->info.id.proto);
  EXPECT_EQ(XFRM_MODE_TRANSPORT, p->info.mode);
  EXPECT_EQ(0u, p->info.seq) << "seq != 0 would make the kernel look up an acquire by seq";
}

TEST(XfrmLayout, SaIdAndDump) {
  Buf b;
  nlmsghdr* nlh = buildSaId(b.bytes, XFRM_MSG_DELSA, 4, NLM_F_ACK, ip("2001:db8::9"), 0xabcdef01);
  const auto* id = static_cast<const xfrm_usersa_id*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(htonl(0xabcdef01), id->spi);
  EXPECT_EQ(AF_INET6, id->family);
  EXPECT_EQ(IPPROTO_ESP, id->proto);
  nlh = buildDump(b.bytes, XFRM_MSG_GETPOLICY, 8);
  EXPECT_EQ(NLM_F_REQUEST | NLM_F_DUMP, nlh->nlmsg_flags);
}

// Bytes the kernel would find left over when it reads a request's payload as attributes
// right after the netlink header (nlmsg_parse with a header length of 0).
std::size_t leftoverAfterAttributes(const nlmsghdr* nlh) {
  const auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload(nlh));
  int rem = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN);
  while (mnl_attr_ok(a, rem)) {
    rem -= static_cast<int>(NLA_ALIGN(a->nla_len));
    a = mnl_attr_next(a);
  }
  return static_cast<std::size_t>(rem > 0 ? rem : 0);
}

// The kernel's xfrm_dump_sa parses everything after the netlink header as attributes (an
// optional XFRMA_ADDRESS_FILTER / XFRMA_PROTO); xfrm_dump_policy reads nothing. A fixed header
// (xfrm_usersa_id, 24 zero bytes) there made it log "netlink: 24 bytes leftover after parsing
// attributes" on every SA dump.
TEST(XfrmLayout, DumpRequestsCarryNoFixedHeader) {
  Buf b;
  for (uint16_t type : {uint16_t{XFRM_MSG_GETSA}, uint16_t{XFRM_MSG_GETPOLICY}}) {
    const nlmsghdr* nlh = buildDump(b.bytes, type, 9);
    EXPECT_EQ(type, nlh->nlmsg_type);
    EXPECT_EQ(NLM_F_REQUEST | NLM_F_DUMP, nlh->nlmsg_flags);
    EXPECT_EQ(9u, nlh->nlmsg_seq);
    EXPECT_EQ(0u, leftoverAfterAttributes(nlh)) << "type " << type;
    EXPECT_EQ(NLMSG_HDRLEN, nlh->nlmsg_len) << "type " << type;
  }
}

TEST(XfrmParse, SaRoundTripAndLarval) {
  uint8_t ik[16] = {};
  KeyBytes ikb(ik, 16);
  SaSpec sa;
  sa.src = ip("192.0.2.10");
  sa.dst = ip("192.0.2.20");
  sa.spi = 4242;
  sa.reqid = 5;
  sa.selUser = 5;
  sa.integrity = IntegrityAlg::HmacMd5_96;
  sa.integrityKey = &ikb;
  Buf b;
  SaDump d;
  ASSERT_TRUE(parseSa(buildSa(b.bytes, XFRM_MSG_NEWSA, 1, 0, sa), d));
  EXPECT_EQ(4242u, d.info.spi);
  EXPECT_EQ(sa.src, d.info.src);
  EXPECT_EQ(sa.dst, d.info.dst);
  EXPECT_EQ(5u, d.reqid);
  EXPECT_FALSE(d.larval);
  // An ALLOCSPI answer: an SA without algorithms.
  nlmsghdr* nlh = buildAllocSpi(b.bytes, 1, 0, sa.src, sa.dst, 5, 300, 300);
  nlh->nlmsg_type = XFRM_MSG_NEWSA;
  static_cast<xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh))->id.spi = htonl(300);
  ASSERT_TRUE(parseSa(nlh, d));
  EXPECT_TRUE(d.larval);
  uint32_t spi = 0;
  ASSERT_TRUE(parseAllocSpi(nlh, spi));
  EXPECT_EQ(300u, spi);
  nlh->nlmsg_len = NLMSG_LENGTH(10);
  EXPECT_FALSE(parseSa(nlh, d)) << "a truncated message is refused";
}

TEST(XfrmParse, ExpireEvent) {
  Buf b;
  std::memset(b.bytes, 0, sizeof(b.bytes));
  nlmsghdr* nlh = mnl_nlmsg_put_header(b.bytes);
  nlh->nlmsg_type = XFRM_MSG_EXPIRE;
  auto* e = static_cast<xfrm_user_expire*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_user_expire)));
  e->state.family = AF_INET;
  e->state.id.spi = htonl(777);
  e->state.reqid = 31;
  const uint8_t dst[4] = {192, 0, 2, 1};
  std::memcpy(&e->state.id.daddr, dst, 4);
  e->hard = 1;
  SaGone g;
  uint32_t reqid = 0;
  ASSERT_TRUE(parseSaEvent(nlh, g, reqid));
  EXPECT_EQ(777u, g.spi);
  EXPECT_EQ(31u, reqid);
  EXPECT_TRUE(g.hard);
  EXPECT_EQ("192.0.2.1", g.dst.toString());
  nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
  EXPECT_FALSE(parseSaEvent(nlh, g, reqid));
}

TEST(XfrmParse, CorruptForTestMakesObjectsInvalid) {
  Buf b;
  PolicySpec ps;
  ps.src = ip("192.0.2.1");
  ps.dst = ip("192.0.2.2");
  nlmsghdr* nlh = buildPolicy(b.bytes, 1, 0, ps);
  corruptForTest(nlh);
  EXPECT_EQ(0xff, static_cast<xfrm_userpolicy_info*>(mnl_nlmsg_get_payload(nlh))->dir);
}

TEST(Errno, MapsToStatus) {
  EXPECT_EQ(Status::Ok, statusOfErrno(0));
  EXPECT_EQ(Status::AlreadyExists, statusOfErrno(EEXIST));
  EXPECT_EQ(Status::NotFound, statusOfErrno(ESRCH));
  EXPECT_EQ(Status::NotFound, statusOfErrno(ENOENT));
  EXPECT_EQ(Status::NotSupported, statusOfErrno(EPROTONOSUPPORT));
  EXPECT_EQ(Status::NotSupported, statusOfErrno(ENOSYS));
  EXPECT_EQ(Status::InvalidArg, statusOfErrno(EINVAL));
  EXPECT_EQ(Status::OutOfResources, statusOfErrno(ENOMEM));
  EXPECT_EQ(Status::OutOfResources, statusOfErrno(ENOBUFS));
  EXPECT_EQ(Status::KernelError, statusOfErrno(EPERM));
  EXPECT_EQ(Status::KernelError, statusOfErrno(EIO));
  const Result r = resultOfErrno(EPERM);
  EXPECT_EQ(EPERM, r.err);
  EXPECT_TRUE(resultOfErrno(0).ok());
}

TEST(Batch, AppendsAlignedAndWipesOnClear) {
  NlBatch batch(2);
  uint8_t ik[20];
  std::memset(ik, 0x77, sizeof(ik));
  KeyBytes k(ik, 20);
  SaSpec sa;
  sa.src = ip("192.0.2.1");
  sa.dst = ip("192.0.2.2");
  sa.integrityKey = &k;
  batch.push(buildSa(batch.space(), XFRM_MSG_NEWSA, 1, 0, sa));
  batch.push(buildSa(batch.space(), XFRM_MSG_NEWSA, 2, 0, sa));
  EXPECT_EQ(nullptr, batch.space()) << "full";
  EXPECT_EQ(2u, batch.count());
  EXPECT_EQ(2u, batch.msg(1)->nlmsg_seq);
  EXPECT_EQ(0u, batch.size() % 4);
  const std::size_t used = batch.size();
  const uint8_t* bytes = batch.data();
  auto countKeyBytes = [&]() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < used; ++i) {
      n += bytes[i] == 0x77;
    }
    return n;
  };
  EXPECT_GE(countKeyBytes(), 40u);
  batch.clear();
  EXPECT_EQ(0u, countKeyBytes());
  EXPECT_NE(nullptr, batch.space());
}

}  // namespace
}  // namespace secsetup::kipsec
