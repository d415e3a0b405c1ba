#pragma once
// The agent's answers by transaction, so that a retransmitted control request (SIPp
// retransmits over UDP when the agent is slow, as under load) gets the first answer again
// instead of being carried out twice (a second install fails with "already exists").
// Bounded: the oldest transactions are forgotten first.

#include <cstddef>
#include <deque>
#include <map>
#include <string>

#include "tests/ue_agent/control_message.h"

namespace secsetup::ue {

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t capacity = 8192) : capacity_(capacity) {}

  // Via, Call-ID and CSeq: what a retransmission repeats and a new request changes.
  static std::string transactionOf(const ControlRequest& req);

  // Null for a new transaction; else its answer ("" while a wait is still pending).
  const std::string* find(const std::string& txn) const;
  void store(const std::string& txn, const std::string& answer);
  std::size_t size() const { return answers_.size(); }

 private:
  std::size_t capacity_;
  std::map<std::string, std::string> answers_;
  std::deque<std::string> order_;
};

}  // namespace secsetup::ue
