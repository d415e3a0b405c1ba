#pragma once
// The one interface between secsetup and the kernel's IPsec databases.
//
// Dependency-free on purpose (standard library only): the core (module/) drives it, the
// libmnl backend (xfrm_mnl_backend) implements it for real, and tests/fakes/ records it.
// Calls take an id struct plus a data struct, as strongSwan's kernel_ipsec_t does, and
// answer with an explicit Result; nothing here throws.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace secsetup::kipsec {

enum class Status {
  Ok,
  AlreadyExists,  // EEXIST: the object is there already
  NotFound,       // ESRCH/ENOENT: nothing to delete or query
  NotSupported,   // EPROTONOSUPPORT/ENOSYS: e.g. a kernel without ESP
  InvalidArg,     // rejected before or by the kernel (EINVAL)
  OutOfResources, // SPI range exhausted, ENOMEM, ENOBUFS
  KernelError,    // any other errno; see Result::err
};
const char* toString(Status s) noexcept;

struct Result {
  Status status = Status::Ok;
  int err = 0;  // the errno the kernel answered, 0 when none
  bool ok() const noexcept { return status == Status::Ok; }
  static Result success() noexcept { return {}; }
  static Result failure(Status s, int e = 0) noexcept { return {s, e}; }
};

enum class Family : uint8_t { V4, V6 };

struct IpAddress {
  Family family = Family::V4;
  std::array<uint8_t, 16> bytes{};  // network order; V4 uses the first 4

  // Parses dotted-quad or RFC 4291 text; returns false on anything else.
  static bool parse(const std::string& text, IpAddress& out) noexcept;
  std::string toString() const;
  bool operator==(const IpAddress& o) const noexcept {
    return family == o.family && bytes == o.bytes;
  }
  bool operator!=(const IpAddress& o) const noexcept { return !(*this == o); }
};

// Algorithms of profile section 5, named by what they are, not by kernel strings.
enum class IntegrityAlg : uint8_t { HmacMd5_96, HmacSha1_96 };
enum class CipherAlg : uint8_t { None /* integrity only */, Null, AesCbc, DesEde3Cbc };

// Key material already laid out for the algorithm (profile 5: sha-1 key || 32 zero bits,
// des-ede3 CK1||CK2||CK1). Wiped when destroyed.
class KeyBytes {
 public:
  static constexpr std::size_t kMax = 32;
  KeyBytes() = default;
  KeyBytes(const uint8_t* data, std::size_t len) noexcept;
  KeyBytes(const KeyBytes& o) noexcept;
  KeyBytes& operator=(const KeyBytes& o) noexcept;
  ~KeyBytes();
  const uint8_t* data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return len_; }
  void wipe() noexcept;

 private:
  std::array<uint8_t, kMax> bytes_{};
  std::size_t len_ = 0;
};

// Which end of the pair this host is: it decides which SA is inbound and which policies
// are "in" and "out" (the UE's view mirrors the P-CSCF's).
enum class Role : uint8_t { Pcscf, Ue };

// One registration's SA pair (profile 6):
//   SA "to P-CSCF": UE ip:uePort -> P-CSCF ip:pcscfProtectedPort, SPI = spiP
//   SA "to UE":     P-CSCF ip:any -> UE ip:uePort,                 SPI = spiU
// Each SA has its in/out policy on this host, covering UDP and TCP.
struct SaPairId {
  IpAddress ue;
  IpAddress pcscf;
  uint32_t spiP = 0;  // SPI of the SA into the P-CSCF (chosen by the P-CSCF)
  uint32_t spiU = 0;  // SPI of the SA into the UE (chosen by the UE)
};

struct SaPairParams {
  Role local = Role::Pcscf;
  uint16_t uePort = 0;
  uint16_t pcscfProtectedPort = 0;
  IntegrityAlg integrity = IntegrityAlg::HmacSha1_96;
  CipherAlg cipher = CipherAlg::None;
  KeyBytes integrityKeyToPcscf;  // key of the SA UE -> P-CSCF
  KeyBytes integrityKeyToUe;     // key of the SA P-CSCF -> UE
  KeyBytes cipherKey;            // both directions (profile 5); empty when cipher == None
  // When true, addPair installs both SAs and only the inbound policies of the local role;
  // the outbound policies follow with activateOutbound. Profile 6: SM4 leaves the P-CSCF in
  // the clear although the pair exists (created on SM3); its outbound policies would
  // encrypt it for a UE that has no SAs yet. They are activated when SM5 arrives protected.
  bool deferOutbound = false;
};

// One SA as the kernel reports it (no keys ever).
struct SaInfo {
  IpAddress src;
  IpAddress dst;
  uint32_t spi = 0;
  uint64_t lastUse = 0;  // seconds since the epoch of the last packet, 0 if never used
  uint64_t packets = 0;
};

// An SA the kernel expired or deleted behind our back (XFRM_MSG_EXPIRE / DELSA events).
struct SaGone {
  IpAddress dst;
  uint32_t spi = 0;
  bool hard = true;
};

struct Features {
  bool esp = false;       // the kernel can hold ESP SAs
  bool ipv6 = false;
};

class KernelIpsec {
 public:
  virtual ~KernelIpsec() = default;

  // Reserves an SPI in [min, max] for SAs src -> dst; the kernel guarantees it is unique.
  // The reservation is released by addPair (it becomes the SA) or by releaseSpi.
  virtual Result allocSpi(const IpAddress& src, const IpAddress& dst, uint32_t min, uint32_t max,
                          uint32_t& spi) noexcept = 0;
  virtual Result releaseSpi(const IpAddress& src, const IpAddress& dst, uint32_t spi) noexcept = 0;

  // Installs both SAs and their policies as one unit: all or, on any failure, nothing.
  virtual Result addPair(const SaPairId& id, const SaPairParams& params) noexcept = 0;
  // Removes both SAs and their policies; NotFound only when none of them existed (outbound
  // policies never activated are not an error when the rest existed).
  virtual Result deletePair(const SaPairId& id, const SaPairParams& params) noexcept = 0;
  // Installs the local role's outbound policies (UDP and TCP) of a pair added with
  // deferOutbound: both or, on any failure, neither. Role::Pcscf: P-CSCF -> UE:uePort;
  // Role::Ue: UE:uePort -> P-CSCF:pcscfProtectedPort. NotFound when the pair's outbound SA
  // is not there, AlreadyExists when the policies are. Keys in params are not used.
  virtual Result activateOutbound(const SaPairId& /*id*/,
                                  const SaPairParams& /*params*/) noexcept {
    return Result::failure(Status::NotSupported);
  }

  // Looks up one SA by destination and SPI.
  virtual Result querySa(const IpAddress& dst, uint32_t spi, SaInfo& out) noexcept = 0;
  // Every SA and policy carrying this module's ownership tag.
  virtual Result listOwned(std::vector<SaInfo>& out) noexcept = 0;
  // Removes every SA and policy carrying the tag, and nothing else.
  virtual Result flushOwned() noexcept = 0;

  // Expire notices: a descriptor to poll (-1 if unsupported) and a drain call.
  virtual int expireEventFd() noexcept = 0;
  virtual Result drainExpired(std::vector<SaGone>& out) noexcept = 0;

  virtual Features features() noexcept = 0;
};

using KernelIpsecPtr = std::unique_ptr<KernelIpsec>;

}  // namespace secsetup::kipsec
