#pragma once
// Milenage (3GPP TS 35.206) for the test UE: what its ISIM would compute from K, OP and the
// RAND of the challenge. Test code only: the P-CSCF never sees K.

#include <array>
#include <cstdint>

namespace secsetup::ue {

using Block = std::array<uint8_t, 16>;

struct MilenageOut {
  std::array<uint8_t, 8> res{};
  Block ck{};
  Block ik{};
  std::array<uint8_t, 6> ak{};
  std::array<uint8_t, 8> macA{};  // f1 over the SQN and AMF given
};

// False only if the cipher could not run.
bool milenage(const Block& k, const Block& op, const Block& rand,
              const std::array<uint8_t, 6>& sqn, const std::array<uint8_t, 2>& amf,
              MilenageOut& out) noexcept;

}  // namespace secsetup::ue
