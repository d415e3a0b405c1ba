// The sa_deleted counter counts the SA pairs the kernel confirmed it removed, nothing else:
// a refused delete may have left the pair's objects in place, and a pair whose objects were
// all gone already (an operator's flush) was not removed by this module.

#include "tests/unit/core_engine_fixture.h"

namespace secsetup::testing {
namespace {

TEST_F(EngineTest, SaDeletedCountsAPairTheKernelRemoved) {
  establish(5064);
  EXPECT_EQ(Status::Ok, engine_->deleteContact(ue, 5064));
  EXPECT_EQ(0u, kernel.livePairs());
  EXPECT_EQ(1u, store_->counter(Counter::SaInstalled));
  EXPECT_EQ(1u, store_->counter(Counter::SaDeleted));
}

TEST_F(EngineTest, SaDeletedLeavesOutADeleteTheKernelRefused) {
  establish(5064);
  kernel.failNext(kipsec::Status::KernelError, EIO);
  EXPECT_EQ(Status::Ok, engine_->deleteContact(ue, 5064));
  EXPECT_EQ("deletePair", kernel.ops().back().substr(0, 10));
  EXPECT_EQ(1u, kernel.livePairs()) << "the refused delete left the pair";
  EXPECT_EQ(0u, store_->counter(Counter::SaDeleted));
}

TEST_F(EngineTest, SaDeletedLeavesOutAPairAlreadyGone) {
  establish(5064);
  // Both SAs and the policies vanished behind the module's back (no notice reached it).
  kernel.expireSa(pcscf, kernel.pairs().front().id.spiP);
  EXPECT_EQ(Status::Ok, engine_->deleteContact(ue, 5064));
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(0u, store_->counter(Counter::SaDeleted));
}

TEST_F(EngineTest, SaDeletedLeavesOutARefusedDeleteAfterDeRegistration) {
  establish(5064);
  EXPECT_EQ(Verdict::Relay, request(Path::Protected, 5064, {}, true, 0).verdict);
  reply(200, 5064, "", 0);
  kernel.failNext(kipsec::Status::OutOfResources, ENOBUFS);
  tick(policy.deleteGrace);
  EXPECT_EQ("deletePair", kernel.ops().back().substr(0, 10));
  EXPECT_EQ(0u, store_->used());
  EXPECT_EQ(0u, store_->counter(Counter::SaDeleted));
  // The next registration's pair is deleted for real and counted.
  establish(5066);
  EXPECT_EQ(Status::Ok, engine_->deleteContact(ue, 5066));
  EXPECT_EQ(1u, store_->counter(Counter::SaDeleted));
}

}  // namespace
}  // namespace secsetup::testing
