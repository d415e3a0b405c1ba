#pragma once
// Pure functions that lay out XFRM netlink messages and read the kernel's answers.
// No socket, no state: each builder writes one message into caller-provided space of at
// least kMsgMax bytes and returns its header (nlmsg_len set). Unit tests pin the bytes.

// glibc's in6_addr before the kernel's headers: linux/in6.h then defers to it, so every
// translation unit sees one definition (link-time optimisation checks that).
#include <netinet/in.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <cstddef>
#include <cstdint>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup::kipsec::xfrm {

constexpr std::size_t kMsgMax = 1024;  // largest message any builder writes
constexpr uint64_t kInf = ~0ULL;       // XFRM_INF: no lifetime limit (profile 6)

// Kernel algorithm names and key sizes in bytes for profile section 5.
struct AlgSpec {
  const char* name;
  std::size_t keyBytes;
  unsigned truncBits;  // integrity only
};
AlgSpec integritySpec(IntegrityAlg a) noexcept;
AlgSpec cipherSpec(CipherAlg c) noexcept;  // None and Null both give ecb(cipher_null), key 0

// One ESP transport-mode SA.
struct SaSpec {
  IpAddress src;
  IpAddress dst;
  uint32_t spi = 0;       // host order
  uint32_t reqid = 0;     // ownership tag (also what the policy templates ask for)
  uint32_t selUser = 0;   // ownership tag in the selector's user field
  IntegrityAlg integrity = IntegrityAlg::HmacSha1_96;
  CipherAlg cipher = CipherAlg::None;
  const KeyBytes* integrityKey = nullptr;
  const KeyBytes* cipherKey = nullptr;  // may be null for None/Null
  uint8_t replayWindow = 32;
};

// One policy with one ESP transport template.
struct PolicySpec {
  IpAddress src;
  IpAddress dst;
  uint16_t sport = 0;  // 0: any port
  uint16_t dport = 0;
  uint8_t proto = 0;   // IPPROTO_UDP / IPPROTO_TCP
  uint8_t dir = XFRM_POLICY_IN;
  uint32_t selUser = 0;
  uint32_t priority = 0;
  uint32_t tmplSpi = 0;  // host order; 0: any SPI
  uint32_t tmplReqid = 0;
};

// Identity of a policy for deletion: selector + direction (or index when non-zero).
struct PolicyKey {
  xfrm_selector sel{};
  uint8_t dir = 0;
  uint32_t index = 0;
};

PolicyKey policyKeyOf(const PolicySpec& p) noexcept;

// Builders. flags gets NLM_F_REQUEST added.
nlmsghdr* buildSa(void* buf, uint16_t type /* NEWSA or UPDSA */, uint32_t seq, uint16_t flags,
                  const SaSpec& sa) noexcept;
nlmsghdr* buildSaId(void* buf, uint16_t type /* DELSA or GETSA */, uint32_t seq, uint16_t flags,
                    const IpAddress& dst, uint32_t spi) noexcept;
nlmsghdr* buildAllocSpi(void* buf, uint32_t seq, uint16_t flags, const IpAddress& src,
                        const IpAddress& dst, uint32_t reqid, uint32_t min, uint32_t max) noexcept;
nlmsghdr* buildPolicy(void* buf, uint32_t seq, uint16_t flags, const PolicySpec& p) noexcept;
nlmsghdr* buildDelPolicy(void* buf, uint32_t seq, uint16_t flags, const PolicyKey& k) noexcept;
// A dump of every SA or policy: the netlink header alone (no filter attributes).
nlmsghdr* buildDump(void* buf, uint16_t type /* GETSA or GETPOLICY */, uint32_t seq) noexcept;
// Probe for ESP support: an UPDSA for an SA that cannot exist (SPI below 256). The kernel
// answers EPROTONOSUPPORT without ESP and ESRCH with it; nothing is created either way.
nlmsghdr* buildEspProbe(void* buf, uint32_t seq, Family f) noexcept;

// Readers of kernel answers. Return false if the message is not of the expected shape.
struct SaDump {
  SaInfo info;
  uint32_t reqid = 0;
  uint32_t selUser = 0;
  bool larval = false;  // no algorithms: a reservation made by ALLOCSPI
};
bool parseSa(const nlmsghdr* nlh, SaDump& out) noexcept;        // XFRM_MSG_NEWSA payload
bool parseAllocSpi(const nlmsghdr* nlh, uint32_t& spi) noexcept;  // answer to ALLOCSPI
struct PolicyDump {
  PolicyKey key;
  uint32_t selUser = 0;
};
bool parsePolicy(const nlmsghdr* nlh, PolicyDump& out) noexcept;  // XFRM_MSG_NEWPOLICY payload
// Expire (XFRM_MSG_EXPIRE) or delete (XFRM_MSG_DELSA) notification; reqid for ownership.
bool parseSaEvent(const nlmsghdr* nlh, SaGone& out, uint32_t& reqid) noexcept;

// Test-only: makes one built object message unacceptable to the kernel (EINVAL: an
// invalid policy direction or SA mode), so that a kernel test can fail the Nth object of a batch for real.
void corruptForTest(nlmsghdr* nlh) noexcept;

}  // namespace secsetup::kipsec::xfrm
