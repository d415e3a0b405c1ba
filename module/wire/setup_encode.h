#pragma once
// Canonical text of a Security-setup value: lower-case tokens, " / " between fields, ","
// between algorithms, ";" between info params; known info params first (port,
// protected-port, unprotected-port), unknown ones after them in their received order.
// parseSecuritySetup(encodeSecuritySetup(v)) == v for every parsed v.

#include <string>

#include "module/bounded_text.h"
#include "module/negotiation/choice.h"
#include "module/wire/setup_grammar.h"

namespace secsetup {

// The longest line the engine hands on (the C boundary's buffer, less the NUL).
constexpr std::size_t kMaxSetupLineLen = 255;
using SetupLine = BoundedText<kMaxSetupLineLen>;

void encodeSecuritySetup(const SecuritySetup& s, std::string& out);
// The same into a fixed buffer (no allocation); a longer line is cut and marked overflowed().
void encodeSecuritySetup(const SecuritySetup& s, SetupLine& out);
std::string encodeSecuritySetup(const SecuritySetup& s);

// SM4's line for a choice: encodeSecuritySetup(makeAnswer(...)).
void encodeAnswer(const Choice& c, uint32_t spiP, uint16_t protectedPort,
                  uint16_t unprotectedPort, SetupLine& out);

}  // namespace secsetup
