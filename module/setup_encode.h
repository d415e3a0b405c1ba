#pragma once
// Canonical text of a Security-setup value: lower-case tokens, " / " between fields, ","
// between algorithms, ";" between info params; known info params first (port,
// protected-port, unprotected-port), unknown ones after them in their received order.
// parseSecuritySetup(encodeSecuritySetup(v)) == v for every parsed v.

#include <string>

#include "module/setup_grammar.h"

namespace secsetup {

void encodeSecuritySetup(const SecuritySetup& s, std::string& out);
std::string encodeSecuritySetup(const SecuritySetup& s);

}  // namespace secsetup
