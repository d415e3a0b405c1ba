#include "tests/ue_agent/milenage.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace secsetup::ue {
namespace {

bool encrypt(const Block& key, const Block& in, Block& out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
            EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), 16) == 1 && len == 16;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

Block xorBlocks(const Block& a, const Block& b) {
  Block r;
  for (std::size_t i = 0; i < 16; ++i) {
    r[i] = a[i] ^ b[i];
  }
  return r;
}

// Rotation by a multiple of 8 bits, as every r of TS 35.206 is.
Block rotateLeft(const Block& x, unsigned bits) {
  Block r;
  const unsigned n = bits / 8;
  for (std::size_t i = 0; i < 16; ++i) {
    r[i] = x[(i + n) % 16];
  }
  return r;
}

Block constant(uint8_t last) {
  Block c{};
  c[15] = last;
  return c;
}

}  // namespace

bool milenage(const Block& k, const Block& op, const Block& rand,
              const std::array<uint8_t, 6>& sqn, const std::array<uint8_t, 2>& amf,
              MilenageOut& out) noexcept {
  Block opc, temp, in1, o1, o2, o3, o4;
  bool ok = encrypt(k, op, opc);
  opc = xorBlocks(opc, op);
  ok = ok && encrypt(k, xorBlocks(rand, opc), temp);
  for (std::size_t i = 0; i < 6; ++i) {
    in1[i] = in1[i + 8] = sqn[i];
  }
  in1[6] = in1[14] = amf[0];
  in1[7] = in1[15] = amf[1];
  ok = ok && encrypt(k, xorBlocks(temp, rotateLeft(xorBlocks(in1, opc), 64)), o1);
  ok = ok && encrypt(k, xorBlocks(xorBlocks(temp, opc), constant(1)), o2);
  ok = ok && encrypt(k, xorBlocks(rotateLeft(xorBlocks(temp, opc), 32), constant(2)), o3);
  ok = ok && encrypt(k, xorBlocks(rotateLeft(xorBlocks(temp, opc), 64), constant(4)), o4);
  if (ok) {
    o1 = xorBlocks(o1, opc);
    o2 = xorBlocks(o2, opc);
    out.ck = xorBlocks(o3, opc);
    out.ik = xorBlocks(o4, opc);
    for (std::size_t i = 0; i < 8; ++i) {
      out.macA[i] = o1[i];
      out.res[i] = o2[8 + i];
    }
    for (std::size_t i = 0; i < 6; ++i) {
      out.ak[i] = o2[i];
    }
  }
  for (Block* b : {&opc, &temp, &in1, &o1, &o2, &o3, &o4}) {
    OPENSSL_cleanse(b->data(), b->size());
  }
  return ok;
}

}  // namespace secsetup::ue
