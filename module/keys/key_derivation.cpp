#include "module/keys/key_derivation.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <cstring>
#include <system_error>

#include "module/keys/secure_wipe.h"

namespace secsetup {

AkaKeys::~AkaKeys() { wipe(); }

void AkaKeys::wipe() noexcept {
  secureWipe(ik, sizeof(ik));
  secureWipe(ck, sizeof(ck));
  hasCk = false;
}

namespace {

constexpr std::size_t kSha256Len = 32;

// HMAC-SHA-256 (the h1/h2 of TS 33.203 B.2) through OpenSSL 3's EVP_MAC. Fetching the
// algorithm searches the loaded providers, so it is done once per process, into a context
// that holds the digest choice and no key; each derivation keys a copy of it. Set up in
// mod_init (keyDerivationAvailable), before Kamailio forks, so every worker inherits it.
const EVP_MAC_CTX* hmacSha256Template() noexcept {
  static const EVP_MAC_CTX* const tmpl = []() -> EVP_MAC_CTX* {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (mac == nullptr) {
      return nullptr;
    }
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }();
  return tmpl;
}

// HMAC-SHA-256 under key (IK) of msg1 and of msg2. OpenSSL wipes the keyed state when the
// context is freed; the caller wipes the outputs. False if OpenSSL failed (outputs undefined).
bool hmacSha256Pair(const uint8_t key[kAkaKeyLen], std::string_view msg1,
                    uint8_t out1[kSha256Len], std::string_view msg2,
                    uint8_t out2[kSha256Len]) noexcept {
  const EVP_MAC_CTX* tmpl = hmacSha256Template();
  if (tmpl == nullptr) {
    return false;
  }
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(tmpl);
  auto mac = [ctx, key](std::string_view msg, uint8_t* out) {
    std::size_t len = 0;
    return EVP_MAC_init(ctx, key, kAkaKeyLen, nullptr) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) ==
               1 &&
           EVP_MAC_final(ctx, out, &len, kSha256Len) == 1 && len == kSha256Len;
  };
  const bool ok = ctx != nullptr && mac(msg1, out1) && mac(msg2, out2);
  EVP_MAC_CTX_free(ctx);
  return ok;
}

// Rotates a 128-bit big-endian value left by n bits (0..127).
void rotateLeft(const uint8_t in[kAkaKeyLen], unsigned n, uint8_t out[kAkaKeyLen]) noexcept {
  unsigned bytes = (n / 8) % kAkaKeyLen;
  unsigned bits = n % 8;
  for (unsigned i = 0; i < kAkaKeyLen; ++i) {
    unsigned hi = in[(i + bytes) % kAkaKeyLen];
    unsigned lo = in[(i + bytes + 1) % kAkaKeyLen];
    out[i] = static_cast<uint8_t>(bits == 0 ? hi : ((hi << bits) | (lo >> (8 - bits))) & 0xFF);
  }
}

kipsec::KeyBytes integrityLayout(IntegrityAlg alg, const uint8_t key[kAkaKeyLen]) noexcept {
  uint8_t buf[kAkaKeyLen + 4] = {};
  std::memcpy(buf, key, kAkaKeyLen);
  std::size_t len = alg == IntegrityAlg::HmacSha1_96 ? kAkaKeyLen + 4 : kAkaKeyLen;
  kipsec::KeyBytes kb(buf, len);
  secureWipe(buf, sizeof(buf));
  return kb;
}

}  // namespace

bool keyDerivationAvailable() noexcept { return hmacSha256Template() != nullptr; }

bool parseHexKey(std::string_view hex, uint8_t out[kAkaKeyLen]) noexcept {
  if (hex.size() != 2 * kAkaKeyLen) {
    secureWipe(out, kAkaKeyLen);
    return false;
  }
  // Two hex digits (either case: profile 5) per byte; from_chars takes no sign or prefix.
  for (std::size_t i = 0; i < kAkaKeyLen; ++i) {
    const char* digits = hex.data() + 2 * i;
    unsigned value = 0;
    const std::from_chars_result r = std::from_chars(digits, digits + 2, value, 16);
    if (r.ec != std::errc() || r.ptr != digits + 2) {
      secureWipe(out, kAkaKeyLen);
      return false;
    }
    out[i] = static_cast<uint8_t>(value);
  }
  return true;
}

bool deriveIntegrityKeys(KeyDerivation mode, unsigned rotateBits, const uint8_t ik[kAkaKeyLen],
                         uint8_t toPcscf[kAkaKeyLen], uint8_t toUe[kAkaKeyLen]) noexcept {
  switch (mode) {
    case KeyDerivation::HmacSha256: {
      static const char kIn[] = "IK_IM_in";  // ASCII, no terminator (profile 5)
      static const char kOut[] = "IK_IM_out";
      uint8_t macIn[kSha256Len], macOut[kSha256Len];
      const bool ok = hmacSha256Pair(ik, std::string_view(kIn, sizeof(kIn) - 1), macIn,
                                     std::string_view(kOut, sizeof(kOut) - 1), macOut);
      std::memcpy(toPcscf, macIn, kAkaKeyLen);
      std::memcpy(toUe, macOut, kAkaKeyLen);
      secureWipe(macIn, sizeof(macIn));
      secureWipe(macOut, sizeof(macOut));
      if (!ok) {
        secureWipe(toPcscf, kAkaKeyLen);
        secureWipe(toUe, kAkaKeyLen);
      }
      return ok;
    }
    case KeyDerivation::Rotate:
      std::memcpy(toPcscf, ik, kAkaKeyLen);
      rotateLeft(ik, rotateBits % 128, toUe);
      return true;
    case KeyDerivation::None:
      std::memcpy(toPcscf, ik, kAkaKeyLen);
      std::memcpy(toUe, ik, kAkaKeyLen);
      return true;
  }
  return false;
}

bool fillSaKeys(KeyDerivation mode, unsigned rotateBits, const Choice& choice,
                const AkaKeys& keys, kipsec::SaPairParams& params) noexcept {
  bool realCipher = choice.cipher == CipherAlg::AesCbc || choice.cipher == CipherAlg::DesEde3Cbc;
  if (realCipher && !keys.hasCk) {
    return false;
  }
  uint8_t in[kAkaKeyLen];
  uint8_t out[kAkaKeyLen];
  if (!deriveIntegrityKeys(mode, rotateBits, keys.ik, in, out)) {
    return false;
  }
  params.integrity = choice.integrity;
  params.cipher = choice.cipher;
  params.integrityKeyToPcscf = integrityLayout(choice.integrity, in);
  params.integrityKeyToUe = integrityLayout(choice.integrity, out);
  secureWipe(in, sizeof(in));
  secureWipe(out, sizeof(out));
  if (choice.cipher == CipherAlg::AesCbc) {
    params.cipherKey = kipsec::KeyBytes(keys.ck, kAkaKeyLen);
  } else if (choice.cipher == CipherAlg::DesEde3Cbc) {
    uint8_t des[3 * 8];
    std::memcpy(des, keys.ck, kAkaKeyLen);
    std::memcpy(des + kAkaKeyLen, keys.ck, 8);
    params.cipherKey = kipsec::KeyBytes(des, sizeof(des));
    secureWipe(des, sizeof(des));
  } else {
    params.cipherKey = kipsec::KeyBytes();
  }
  return true;
}

}  // namespace secsetup
