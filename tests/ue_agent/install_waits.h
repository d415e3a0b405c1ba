#pragma once
// Control requests that wait for a pair the agent has not installed yet ("X-Op: wait"): a
// load test splits one UE across two SIPp instances (one per UE port), and the instance of
// the new port must not send its SM5 before the other one's SM4 has installed the pair.
// Keyed by the UE's address and the SPI of the pair's inbound SA, which a test keeps unique.

#include <sys/socket.h>

#include <map>
#include <string>
#include <vector>

namespace secsetup::ue {

struct Outgoing {
  sockaddr_storage to{};
  socklen_t toLen = 0;
  std::string text;
  std::string txn;  // the request's transaction (AnswerCache), if the answer is to be kept
};

class InstallWaits {
 public:
  static std::string key(const std::string& ueIp, uint32_t spiU);

  // The pair is installed now: returns the answers of the requests waiting for it. (Whether
  // a pair is installed is the agent's to know, from the pairs it holds: a wait for one
  // already there is answered at once and never comes here.)
  std::vector<Outgoing> installed(const std::string& key);
  void wait(const std::string& key, Outgoing answer);
  void clear();
  std::size_t waiting() const;

 private:
  std::map<std::string, std::vector<Outgoing>> waiting_;
};

}  // namespace secsetup::ue
