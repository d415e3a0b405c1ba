#pragma once
// The UE side of the security mode set-up (profile section 8 item 10), for the project's
// test UE tool and as a library: builds SM1/SM5, checks SM4 [7.3.2.2], installs the UE's SA
// pair only after a valid SM4, and on re-registration retires the old pair as the profile
// says. Process-local (ordinary memory); drives the same KernelIpsec interface with
// Role::Ue, and derives keys with the same code as the P-CSCF.

#include <cstdint>
#include <string>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/negotiation/choice.h"
#include "module/keys/key_derivation.h"
#include "module/negotiation/policy.h"

namespace secsetup {

struct UeConfig {
  kipsec::IpAddress ue;
  kipsec::IpAddress pcscf;
  FixedList<IntegrityAlg, 2> integrity{IntegrityAlg::HmacSha1_96, IntegrityAlg::HmacMd5_96};
  FixedList<CipherAlg, 3> ciphers{CipherAlg::AesCbc, CipherAlg::DesEde3Cbc};  // empty: none
  KeyDerivation keyDerivation = KeyDerivation::HmacSha256;
  unsigned keyRotateBits = 64;
  uint32_t spiMin = 4096;
  uint32_t spiMax = 0x7FFFFFFF;
};

enum class UeState : uint8_t {
  Idle,        // nothing sent (or a registration finished and nothing is pending)
  Sm1Sent,     // SM1 out, SPI_U reserved; waiting for SM4
  SasReady,    // valid SM4: SAs installed, SM5 may go
  Registered,  // SM8 (200) received
  Stopped,     // SM4 refused: the UE stops [7.3.2.2]
};

class UeSession {
 public:
  UeSession(const UeConfig& config, kipsec::KernelIpsec& kernel) noexcept
      : config_(config), kernel_(kernel) {}
  ~UeSession();
  UeSession(const UeSession&) = delete;
  UeSession& operator=(const UeSession&) = delete;

  // SM1 for protected port `port` (initial, or re-registration with a new port). Reserves
  // SPI_U in the kernel. The value goes into SM1 and, unchanged, into SM5.
  Status startRegistration(uint16_t port, std::string& sm1) noexcept;
  // SM4 arrived with the keys the UE computed (IK/CK). Refuses (state Stopped, nothing
  // installed, SPI released) an answer it did not propose; else installs the pair.
  Status onSm4(std::string_view sm4, const AkaKeys& keys, Rejection& why) noexcept;
  const std::string& sm5() const noexcept { return sm1_; }
  // SM8: a 2xx completes; anything else removes the new pair and keeps the old one.
  Status onSm8(int code) noexcept;
  // A message arrived through the new pair (SA12): the old pair goes (re-registration).
  Status onMessageThroughNewPair() noexcept;
  // Ends everything (de-registration, shutdown).
  void reset() noexcept;

  UeState state() const noexcept { return state_; }
  bool hasOldPair() const noexcept { return old_.installed; }
  bool hasCurrentPair() const noexcept { return current_.installed; }
  uint16_t currentPort() const noexcept { return current_.params.uePort; }
  const kipsec::SaPairId& currentId() const noexcept { return current_.id; }

 private:
  struct Installed {
    bool installed = false;
    kipsec::SaPairId id;
    kipsec::SaPairParams params;  // keys wiped once installed
  };
  void releaseReservation() noexcept;
  void remove(Installed& p) noexcept;

  UeConfig config_;
  kipsec::KernelIpsec& kernel_;
  UeState state_ = UeState::Idle;
  SecuritySetup proposal_;
  std::string sm1_;
  uint32_t reservedSpi_ = 0;
  uint16_t port_ = 0;
  Installed current_;  // the pair of the running/last registration
  Installed old_;      // during a re-registration: the pair being replaced
};

}  // namespace secsetup
