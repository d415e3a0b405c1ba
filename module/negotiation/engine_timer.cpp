// Time and outside events: registration timer (D.2.2), expiry, deletion graces, kernel
// expire notices, operator delete, listing.

#include <cstring>

#include "module/negotiation/engine.h"

namespace secsetup {

void Engine::onTimer(uint64_t now, std::vector<Report>& reports) noexcept {
  std::vector<uint32_t> due;
  for (unsigned s = 0; s < store_.stripes(); ++s) {
    try {
      StripeLock lock(store_, s);
      due.clear();
      store_.collectDue(s, now, due);
      for (uint32_t rec : due) {
        handleDue(s, rec, now, reports);
      }
    } catch (...) {
      // Out of memory: the remaining records stay due and are seen on the next tick.
    }
  }
}

void Engine::handleDue(unsigned stripe, uint32_t rec, uint64_t now, std::vector<Report>& reports) {
  ContactRecord& r = store_.record(rec);
  if (r.active.state == PairState::Retiring && r.active.retireAt <= now) {
    deletePairNow(r, r.active);
  }
  if (r.pending.state == PairState::Retiring && r.pending.retireAt <= now) {
    deletePairNow(r, r.pending);
  }
  if (r.timerAt != 0 && r.timerAt <= now) {
    if (r.phase == Phase::AwaitSm5) {
      // Item 4: SM5 never came (a wrong key drops it in the kernel): tell the home network.
      store_.count(Counter::UserAuthFailures);
      Report rep;
      rep.callId.assign(r.callId, r.callIdLen);
      rep.impi.assign(r.impi, r.impiLen);
      rep.impu.assign(r.impu, r.impuLen);
      rep.ue = ContactStore::ueAddress(r);
      rep.uePort = r.pending.uePort;
      rep.spiP = r.pending.spiP;
      rep.spiU = r.pending.spiU;
      rep.reason = FailureReason::UserAuthenticationFailure;
      reports.push_back(std::move(rep));
    }
    if (r.phase == Phase::Sm1Seen || r.phase == Phase::AwaitSm5 || r.phase == Phase::AwaitSm7) {
      deletePairNow(r, r.pending);
      endNegotiation(stripe, rec);
    }
    r.timerAt = 0;
  }
  if (r.phase == Phase::Established && r.expiresAt != 0 && r.expiresAt <= now) {
    removeContact(stripe, rec);  // item 9: expiry of the registered contact (grace included)
    return;
  }
  settle(stripe, rec);
}

void Engine::onSaGone(const kipsec::SaGone& g) noexcept {
  try {
    // The notice names the SA by destination and SPI: the P-CSCF's address (any stripe) or
    // the UE's, so each stripe's SPI index is asked (no scan of the contacts).
    std::vector<uint32_t> candidates;
    for (unsigned s = 0; s < store_.stripes(); ++s) {
      StripeLock lock(store_, s);
      candidates.clear();
      store_.findBySpi(s, g.spi, candidates);
      for (uint32_t rec : candidates) {
        ContactRecord& r = store_.record(rec);
        kipsec::IpAddress ue = ContactStore::ueAddress(r);
        kipsec::IpAddress pcscf = ContactStore::pcscfAddress(r);
        auto hit = [&](const PairSlot& p) {
          return p.state != PairState::Empty &&
                 ((g.dst == ue && g.spi == p.spiU) || (g.dst == pcscf && g.spi == p.spiP));
        };
        bool onActive = hit(r.active);
        bool onPending = !onActive && hit(r.pending);
        kipsec::SaInfo still;
        if ((onActive || onPending) && kernel_.querySa(g.dst, g.spi, still).ok()) {
          // Old news: an SA with this id was deleted (the event also reports deletes made by
          // the other worker processes) and made again since, as when a synchronisation
          // failure's fresh pair reuses the UE's SPI_U.
          continue;
        }
        if (onActive) {
          removeContact(s, rec);  // the registration can no longer be protected
        } else if (onPending) {
          deletePairNow(r, r.pending);
          endNegotiation(s, rec);
          settle(s, rec);
        }
      }
    }
  } catch (...) {
  }
}

Status Engine::deleteContact(const kipsec::IpAddress& ue, uint16_t port) noexcept {
  try {
    unsigned s = store_.stripeOf(ue);
    StripeLock lock(store_, s);
    uint32_t rec = store_.findByAddr(s, ue, port);
    if (rec == kNil) {
      return Status::NotFound;
    }
    removeContact(s, rec);
    return Status::Ok;
  } catch (...) {
    return Status::Failed;
  }
}

Status Engine::listContacts(std::vector<ContactView>& out) const noexcept {
  try {
    auto& store = const_cast<ContactStore&>(store_);
    std::vector<uint32_t> all;
    for (unsigned s = 0; s < store.stripes(); ++s) {
      StripeLock lock(store, s);
      all.clear();
      store.collectAll(s, all);
      for (uint32_t rec : all) {
        const ContactRecord& r = store.record(rec);
        ContactView v;
        v.ue = ContactStore::ueAddress(r);
        v.port = r.addr[0].port;
        v.phase = r.phase;
        v.active = r.active;
        v.pending = r.pending;
        v.expiresAt = r.expiresAt;
        v.callId.assign(r.callId, r.callIdLen);
        v.impi.assign(r.impi, r.impiLen);
        v.impu.assign(r.impu, r.impuLen);
        out.push_back(std::move(v));
      }
    }
    return Status::Ok;
  } catch (...) {
    return Status::OutOfResources;
  }
}

}  // namespace secsetup
