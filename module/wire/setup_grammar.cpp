// Parser for the Security-setup header value (grammar in setup_grammar.h).

#include "module/wire/setup_grammar.h"

#include <cstring>

#include "module/wire/sip_lex.h"

namespace secsetup {

const char* toString(SetupField f) noexcept {
  switch (f) {
    case SetupField::Header:
      return "Security-setup";
    case SetupField::IntMech:
      return "int-mech";
    case SetupField::ConfMech:
      return "conf-mech";
    case SetupField::IntAlgs:
      return "int-algs";
    case SetupField::ConfAlgs:
      return "conf-algs";
    case SetupField::SaId:
      return "sa-id";
    case SetupField::Info:
      return "info";
    case SetupField::Port:
      return "port";
    case SetupField::ProtectedPort:
      return "protected-port";
    case SetupField::UnprotectedPort:
      return "unprotected-port";
  }
  return "?";
}

std::string describe(const SetupError& e) {
  std::string s = toString(e.field);
  s += ": ";
  s += e.reason;
  s += " (offset ";
  s += std::to_string(e.offset);
  s += ")";
  return s;
}

namespace {

SetupError fail(SetupField f, const char* reason, const lex::Cursor& c) noexcept {
  return SetupError{f, reason, c.pos()};
}

bool failed(SetupError& err, SetupField f, const char* reason, const lex::Cursor& c) noexcept {
  err = fail(f, reason, c);
  return false;
}

bool sameToken(const Token& a, const Token& b) noexcept {
  return a.size() == b.size() && std::memcmp(a.view().data(), b.view().data(), a.size()) == 0;
}

// token *(COMMA token), lower-cased into out. Empty list allowed only when optional.
// Each name is scanned and folded straight into its slot (no intermediate copy).
bool parseAlgList(lex::Cursor& c, SetupField field, bool optional,
                  FixedList<Token, kMaxAlgs>& out, SetupError& err) {
  char scratch[kMaxTokenLen];
  for (bool first = true;; first = false) {
    Token* slot = out.grow();
    std::size_t n = c.tokenLower(slot != nullptr ? slot->buffer() : scratch, kMaxTokenLen);
    if (n == 0 || n > kMaxTokenLen) {
      if (slot != nullptr) {
        out.shrink();  // only whole names stay listed
      }
    }
    if (n == 0) {
      if (first && optional) {
        return true;
      }
      err = fail(field, first ? "missing algorithm" : "empty algorithm name", c);
      return false;
    }
    if (n > kMaxTokenLen) {
      err = fail(field, "algorithm name too long", c);
      return false;
    }
    if (slot == nullptr) {
      err = fail(field, "too many algorithms", c);
      return false;
    }
    slot->setSize(n);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
      if (sameToken(out[i], *slot)) {
        err = fail(field, "algorithm listed twice", c);
        return false;
      }
    }
    if (!c.separator(',')) {
      return true;
    }
  }
}

bool parsePortValue(std::string_view v, uint32_t& out) noexcept {
  uint64_t n = 0;
  if (!lex::parseDecimal(v, 5, n) || n == 0 || n > 65535) {
    return false;
  }
  out = static_cast<uint32_t>(n);
  return true;
}

// The info parameter a lower-cased name denotes: one of the three ports, or none.
uint32_t* knownPort(SecuritySetup& s, std::string_view lowerName, SetupField& field) noexcept {
  switch (lowerName.size()) {
    case 4:
      if (lowerName == "port") {
        field = SetupField::Port;
        return &s.port;
      }
      break;
    case 14:
      if (lowerName == "protected-port") {
        field = SetupField::ProtectedPort;
        return &s.protectedPort;
      }
      break;
    case 16:
      if (lowerName == "unprotected-port") {
        field = SetupField::UnprotectedPort;
        return &s.unprotectedPort;
      }
      break;
    default:
      break;
  }
  return nullptr;
}

bool parseInfo(lex::Cursor& c, SecuritySetup& s, SetupError& err) {
  if (c.atEnd()) {
    return true;  // "SLASH" with an empty info
  }
  for (;;) {
    Token name;
    std::size_t nameLen = c.tokenLower(name.buffer(), kMaxTokenLen);
    if (nameLen == 0) {
      err = fail(SetupField::Info, "expected a parameter name", c);
      return false;
    }
    if (!c.separator('=')) {
      err = fail(SetupField::Info, "parameter without '=' value", c);
      return false;
    }
    std::string_view value;
    bool quoted = false;
    if (c.peek() == '"') {
      if (!c.quoted(value)) {
        err = fail(SetupField::Info, "unterminated quoted-string", c);
        return false;
      }
      quoted = true;
    } else {
      value = c.token();
      if (value.empty()) {
        err = fail(SetupField::Info, "empty parameter value", c);
        return false;
      }
    }
    SetupField field = SetupField::Info;
    uint32_t* port = nameLen <= kMaxTokenLen
                         ? knownPort(s, std::string_view(name.buffer(), nameLen), field)
                         : nullptr;
    if (port != nullptr) {
      if (*port != 0) {
        err = fail(field, "given twice", c);
        return false;
      }
      if (quoted || !parsePortValue(value, *port)) {
        err = fail(field, "not a port number 1..65535", c);
        return false;
      }
    } else {
      if (nameLen > kMaxTokenLen || value.size() > kMaxValueLen) {
        err = fail(SetupField::Info, "parameter too long", c);
        return false;
      }
      name.setSize(nameLen);
      for (const InfoParam& q : s.extraInfo) {
        if (q.name == name) {
          err = fail(SetupField::Info, "parameter given twice", c);
          return false;
        }
      }
      InfoParam* p = s.extraInfo.grow();
      if (p == nullptr) {
        err = fail(SetupField::Info, "too many parameters", c);
        return false;
      }
      p->name = name;
      p->value.assign(value);
      p->quoted = quoted;
    }
    c.skipSws();
    if (c.atEnd()) {
      return true;
    }
    if (!c.separator(';')) {
      err = fail(SetupField::Info, "expected ';' between parameters", c);
      return false;
    }
  }
}

bool parseImpl(std::string_view value, SecuritySetup& s, SetupError& err) {
  lex::Cursor c(value);
  s.reset();
  c.skipSws();
  if (c.atEnd()) {
    return failed(err, SetupField::Header, "empty value", c);
  }
  std::size_t n = c.tokenLower(s.intMech.buffer(), kMaxTokenLen);
  if (n == 0) {
    return failed(err, SetupField::IntMech, "missing mechanism", c);
  }
  if (n > kMaxTokenLen) {
    return failed(err, SetupField::IntMech, "mechanism too long", c);
  }
  s.intMech.setSize(n);
  if (!c.separator('/')) {
    return failed(err, SetupField::IntMech, "expected '/' after int-mech", c);
  }
  n = c.tokenLower(s.confMech.buffer(), kMaxTokenLen);
  if (n > kMaxTokenLen) {
    return failed(err, SetupField::ConfMech, "mechanism too long", c);
  }
  s.confMech.setSize(n);
  if (!c.separator('/')) {
    return failed(err, SetupField::ConfMech, "expected '/' after conf-mech", c);
  }
  if (!parseAlgList(c, SetupField::IntAlgs, false, s.intAlgs, err)) {
    return false;
  }
  if (!c.separator('/')) {
    return failed(err, SetupField::IntAlgs, "expected '/' after int-algs", c);
  }
  if (!parseAlgList(c, SetupField::ConfAlgs, true, s.confAlgs, err)) {
    return false;
  }
  if (s.confMech.empty() != s.confAlgs.empty()) {
    return failed(err, SetupField::ConfAlgs,
                s.confMech.empty() ? "conf-algs without conf-mech" : "conf-mech without conf-algs",
                c);
  }
  if (!c.separator('/')) {
    return failed(err, SetupField::ConfAlgs, "expected '/' after conf-algs", c);
  }
  std::string_view digits = c.token();
  uint64_t spi = 0;
  if (digits.empty()) {
    return failed(err, SetupField::SaId, "missing", c);
  }
  if (!lex::parseDecimal(digits, 10, spi)) {
    return failed(err, SetupField::SaId, "not 1 to 10 digits", c);
  }
  if (spi > 0xFFFFFFFFull) {
    return failed(err, SetupField::SaId, "above 4294967295", c);
  }
  s.saId = static_cast<uint32_t>(spi);
  c.skipSws();
  if (c.atEnd()) {
    return true;
  }
  if (!c.separator('/')) {
    return failed(err, SetupField::SaId, "unexpected text after sa-id", c);
  }
  if (!parseInfo(c, s, err)) {
    return false;
  }
  c.skipSws();
  if (!c.atEnd()) {
    return failed(err, SetupField::Info, "unexpected text after info", c);
  }
  return true;
}

}  // namespace

bool parseSecuritySetup(std::string_view value, SecuritySetup& out, SetupError& err) noexcept {
  return parseImpl(value, out, err);
}

ParseResult<SecuritySetup> parseSecuritySetup(std::string_view value) noexcept {
  SecuritySetup s;
  SetupError err;
  if (!parseImpl(value, s, err)) {
    return err;
  }
  return s;
}

}  // namespace secsetup
