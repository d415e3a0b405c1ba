#include "tests/ue_agent/answer_cache.h"

namespace secsetup::ue {

std::string AnswerCache::transactionOf(const ControlRequest& req) {
  return req.header("via") + '\n' + req.header("call-id") + '\n' + req.header("cseq");
}

const std::string* AnswerCache::find(const std::string& txn) const {
  auto it = answers_.find(txn);
  return it == answers_.end() ? nullptr : &it->second;
}

void AnswerCache::store(const std::string& txn, const std::string& answer) {
  auto [it, added] = answers_.insert_or_assign(txn, answer);
  if (!added) {
    return;
  }
  order_.push_back(txn);
  if (order_.size() > capacity_) {
    answers_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace secsetup::ue
