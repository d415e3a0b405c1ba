#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "tests/ue_agent/answer_cache.h"
#include "tests/ue_agent/control_message.h"
#include "tests/ue_agent/install_waits.h"
#include "tests/ue_agent/milenage.h"

namespace secsetup::ue {
namespace {

template <std::size_t N>
std::array<uint8_t, N> hex(const char* s) {
  std::array<uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = static_cast<uint8_t>(std::stoul(std::string(s + 2 * i, 2), nullptr, 16));
  }
  return out;
}

// 3GPP TS 35.208, test set 1.
TEST(Milenage, TestSet1) {
  MilenageOut out;
  ASSERT_TRUE(milenage(hex<16>("465b5ce8b199b49faa5f0a2ee238a6bc"),
                       hex<16>("cdc202d5123e20f62b6d676ac72cb318"),
                       hex<16>("23553cbe9637a89d218ae64dae47bf35"), hex<6>("ff9bb4d0b607"),
                       hex<2>("b9b9"), out));
  EXPECT_EQ(out.macA, hex<8>("4a9ffac354dfafb3"));
  EXPECT_EQ(out.res, hex<8>("a54211d5e3ba50bf"));
  EXPECT_EQ(out.ck, hex<16>("b40ba9a3c58b2a05bbf0d987b21bf8cb"));
  EXPECT_EQ(out.ik, hex<16>("f769bcd751044604127672711c6d3441"));
  EXPECT_EQ(out.ak, hex<6>("aa689c648370"));
}

// The project's test subscriber (tests/sipp/aka_vectors.py): the S-CSCF hands out these
// IK/CK, so the UE must compute the same.
TEST(Milenage, ProjectSubscriberMatchesScscfVectors) {
  Block k{}, op{};
  std::memcpy(k.data(), "secsetup-test-K!", 16);
  std::memcpy(op.data(), "secsetup-test-OP", 16);
  MilenageOut out;
  ASSERT_TRUE(milenage(k, op, hex<16>("23553cbe9637a89d218ae64dae47bf35"), {}, {}, out));
  EXPECT_EQ(out.ik, hex<16>("814dc7c0944d73d5b98b5fd703e7db1c"));
  EXPECT_EQ(out.ck, hex<16>("30d3cefa983e5ea1fb12e9af5fd292df"));
  EXPECT_EQ(out.res, hex<8>("a76e246929c5d5b0"));
}

TEST(ControlMessage, ParsesHeadersAndEchoesTransactionLines) {
  const char* text =
      "MESSAGE sip:ue-agent SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5064;branch=z9hG4bK-1\r\n"
      "From: <sip:alice@ims.example.test>;tag=1\r\n"
      "To: <sip:ue-agent>\r\n"
      "Call-ID: 1-42@192.0.2.10\r\n"
      "CSeq: 3 MESSAGE\r\n"
      "X-Op: sm4\r\n"
      "X-Sm4: esp / esp / hmac-sha-1-96 / aes-cbc / 4096 / protected-port=5060;unprotected-port=5062\r\n"
      "Content-Length: 0\r\n\r\n";
  ControlRequest req;
  ASSERT_TRUE(parseControlRequest(text, req));
  EXPECT_EQ(req.method, "MESSAGE");
  EXPECT_EQ(req.header("x-op"), "sm4");
  EXPECT_EQ(req.header("x-sm4"),
            "esp / esp / hmac-sha-1-96 / aes-cbc / 4096 / protected-port=5060;unprotected-port=5062");
  std::string resp = formatResponse(req, 200, "Installed", "X-Pair: spi-p=4096\r\n");
  EXPECT_EQ(resp.rfind("SIP/2.0 200 Installed\r\n", 0), 0u);
  EXPECT_NE(resp.find("Call-ID: 1-42@192.0.2.10\r\n"), std::string::npos);
  EXPECT_NE(resp.find("CSeq: 3 MESSAGE\r\n"), std::string::npos);
  EXPECT_NE(resp.find("X-Pair: spi-p=4096\r\n"), std::string::npos);
  EXPECT_EQ(resp.find("X-Op"), std::string::npos);
}

TEST(ControlMessage, RejectsResponses) {
  ControlRequest req;
  EXPECT_FALSE(parseControlRequest("SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n", req));
}

// A wait for a pair that is not there yet is answered by its install, and only by that one.
TEST(InstallWaits, WaitIsAnsweredByTheInstallOfItsPair) {
  InstallWaits w;
  std::string mine = InstallWaits::key("198.18.0.1", 4155667788u);
  std::string other = InstallWaits::key("198.18.0.2", 4155667788u);
  w.wait(mine, Outgoing{{}, 0, "answer", "txn"});
  EXPECT_TRUE(w.installed(other).empty());
  EXPECT_EQ(w.waiting(), 1u);
  std::vector<Outgoing> ready = w.installed(mine);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].text, "answer");
  EXPECT_EQ(w.waiting(), 0u);
  EXPECT_TRUE(w.installed(mine).empty());  // answered once
}

ControlRequest controlRequest(const char* branch, const char* cseq) {
  std::string text = std::string("MESSAGE sip:ue-agent SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.0.1:5064;branch=") +
                     branch + "\r\nCall-ID: load-1@ims.example.test\r\nCSeq: " + cseq +
                     " MESSAGE\r\nX-Op: sm4\r\n\r\n";
  ControlRequest req;
  EXPECT_TRUE(parseControlRequest(text, req));
  return req;
}

// A retransmission is the same transaction; the next request of the call is another one.
TEST(AnswerCache, RetransmissionFindsTheFirstAnswer) {
  AnswerCache cache;
  std::string first = AnswerCache::transactionOf(controlRequest("z9hG4bK-1", "2"));
  EXPECT_EQ(cache.find(first), nullptr);
  cache.store(first, "");  // pending
  ASSERT_NE(cache.find(AnswerCache::transactionOf(controlRequest("z9hG4bK-1", "2"))), nullptr);
  EXPECT_EQ(*cache.find(first), "");
  cache.store(first, "SIP/2.0 200 Installed");
  EXPECT_EQ(*cache.find(first), "SIP/2.0 200 Installed");
  EXPECT_EQ(cache.find(AnswerCache::transactionOf(controlRequest("z9hG4bK-2", "5"))), nullptr);
}

TEST(AnswerCache, ForgetsTheOldestBeyondItsCapacity) {
  AnswerCache cache(2);
  cache.store("a", "1");
  cache.store("b", "2");
  cache.store("c", "3");
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_NE(cache.find("b"), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace secsetup::ue
