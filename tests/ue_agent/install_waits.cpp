#include "tests/ue_agent/install_waits.h"

namespace secsetup::ue {

std::string InstallWaits::key(const std::string& ueIp, uint32_t spiU) {
  return ueIp + "|" + std::to_string(spiU);
}

std::vector<Outgoing> InstallWaits::installed(const std::string& key) {
  std::vector<Outgoing> ready;
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    ready = std::move(it->second);
    waiting_.erase(it);
  }
  return ready;
}

void InstallWaits::wait(const std::string& key, Outgoing answer) {
  waiting_[key].push_back(std::move(answer));
}

void InstallWaits::clear() {
  waiting_.clear();
}

std::size_t InstallWaits::waiting() const {
  std::size_t n = 0;
  for (const auto& [k, v] : waiting_) {
    n += v.size();
  }
  return n;
}

}  // namespace secsetup::ue
