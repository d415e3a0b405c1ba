#include "module/negotiation/ue_role.h"

#include "module/wire/setup_encode.h"

namespace secsetup {

UeSession::~UeSession() { releaseReservation(); }

void UeSession::releaseReservation() noexcept {
  if (reservedSpi_ != 0) {
    kernel_.releaseSpi(config_.pcscf, config_.ue, reservedSpi_);
    reservedSpi_ = 0;
  }
}

void UeSession::remove(Installed& p) noexcept {
  if (p.installed) {
    kernel_.deletePair(p.id, p.params);
  }
  p = Installed{};
}

Status UeSession::startRegistration(uint16_t port, std::string& sm1) noexcept {
  try {
    if (port == 0 || state_ == UeState::Sm1Sent || state_ == UeState::SasReady) {
      return Status::InvalidState;
    }
    if (current_.installed && current_.params.uePort == port) {
      return Status::InvalidArg;  // a re-registration needs a new port [7.3.3.1]
    }
    uint32_t spi = 0;
    if (!kernel_.allocSpi(config_.pcscf, config_.ue, config_.spiMin, config_.spiMax, spi).ok()) {
      return Status::OutOfResources;
    }
    reservedSpi_ = spi;
    port_ = port;
    SecuritySetup s;
    s.intMech = "esp";
    for (IntegrityAlg a : config_.integrity) {
      s.intAlgs.push(Token(wireName(a)));
    }
    if (!config_.ciphers.empty()) {
      s.confMech = "esp";
      for (CipherAlg a : config_.ciphers) {
        s.confAlgs.push(Token(wireName(a)));
      }
    }
    s.saId = spi;
    s.port = port;
    proposal_ = s;
    encodeSecuritySetup(s, sm1_);
    sm1 = sm1_;
    state_ = UeState::Sm1Sent;
    return Status::Ok;
  } catch (...) {
    releaseReservation();
    return Status::OutOfResources;
  }
}

Status UeSession::onSm4(std::string_view sm4, const AkaKeys& keys, Rejection& why) noexcept {
  try {
    if (state_ != UeState::Sm1Sent) {
      return Status::InvalidState;
    }
    ParseResult<SecuritySetup> parsed = parseSecuritySetup(sm4);
    Choice choice;
    bool ok = parsed.ok();
    if (!ok) {
      why = Rejection{FailureReason::MalformedSecuritySetup, "SM4: unparsable Security-setup"};
    } else {
      ok = checkAnswer(proposal_, parsed.value(), choice, why);
    }
    if (ok && parsed.value().saId == reservedSpi_) {
      ok = false;
      why = Rejection{FailureReason::MalformedSecuritySetup, "sa-id: SPI_P equals SPI_U"};
    }
    if (!ok) {
      releaseReservation();
      state_ = UeState::Stopped;  // [7.3.2.2]: the UE stops; nothing is installed
      return Status::InvalidArg;
    }
    const SecuritySetup& a = parsed.value();
    Installed next;
    next.id.ue = config_.ue;
    next.id.pcscf = config_.pcscf;
    next.id.spiP = a.saId;
    next.id.spiU = reservedSpi_;
    next.params.local = kipsec::Role::Ue;
    next.params.uePort = port_;
    next.params.pcscfProtectedPort = static_cast<uint16_t>(a.protectedPort);
    if (!fillSaKeys(config_.keyDerivation, config_.keyRotateBits, choice, keys, next.params)) {
      why = Rejection{FailureReason::None, "no CK for the chosen cipher"};
      return Status::InvalidArg;
    }
    kipsec::Result res = kernel_.addPair(next.id, next.params);
    next.params.integrityKeyToPcscf.wipe();
    next.params.integrityKeyToUe.wipe();
    next.params.cipherKey.wipe();
    if (!res.ok()) {
      why = Rejection{FailureReason::None, "the kernel refused the SA pair"};
      return Status::Failed;
    }
    reservedSpi_ = 0;
    next.installed = true;
    if (current_.installed) {
      remove(old_);
      old_ = current_;  // re-registration: the old pair stays until SM8 and SA12 say so
    }
    current_ = next;
    state_ = UeState::SasReady;
    return Status::Ok;
  } catch (...) {
    return Status::Failed;
  }
}

Status UeSession::onSm8(int code) noexcept {
  if (state_ != UeState::SasReady) {
    return Status::InvalidState;
  }
  if (code >= 200 && code < 300) {
    // Re-registration: SA1 (old, UE -> P-CSCF) is no longer used; with the pair interface the
    // whole old pair goes once SA12 has carried a message (onMessageThroughNewPair).
    state_ = UeState::Registered;
    return Status::Ok;
  }
  remove(current_);  // the new pair goes, the old one stays
  if (old_.installed) {
    current_ = old_;
    old_ = Installed{};
    state_ = UeState::Registered;
  } else {
    state_ = UeState::Idle;
  }
  return Status::Ok;
}

Status UeSession::onMessageThroughNewPair() noexcept {
  if (state_ != UeState::Registered || !old_.installed) {
    return Status::AlreadyDone;
  }
  remove(old_);
  return Status::Ok;
}

void UeSession::reset() noexcept {
  releaseReservation();
  remove(old_);
  remove(current_);
  state_ = UeState::Idle;
}

}  // namespace secsetup
