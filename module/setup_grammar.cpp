// Parser for the Security-setup header value (grammar in setup_grammar.h).

#include "module/setup_grammar.h"

#include "module/sip_lex.h"

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

// token *(COMMA token), lower-cased into out. Empty list allowed only when optional.
bool parseAlgList(lex::Cursor& c, SetupField field, bool optional,
                  FixedList<Token, kMaxAlgs>& out, SetupError& err) {
  std::string_view t = c.token();
  if (t.empty()) {
    if (optional) {
      return true;
    }
    err = fail(field, "missing algorithm", c);
    return false;
  }
  for (;;) {
    if (t.size() > kMaxTokenLen) {
      err = fail(field, "algorithm name too long", c);
      return false;
    }
    Token* slot = out.grow();
    if (slot == nullptr) {
      err = fail(field, "too many algorithms", c);
      return false;
    }
    slot->assignLower(t);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
      if (out[i] == *slot) {
        err = fail(field, "algorithm listed twice", c);
        return false;
      }
    }
    if (!c.separator(',')) {
      return true;
    }
    t = c.token();
    if (t.empty()) {
      err = fail(field, "empty algorithm name", c);
      return false;
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

bool parseInfo(lex::Cursor& c, SecuritySetup& s, SetupError& err) {
  if (c.atEnd()) {
    return true;  // "SLASH" with an empty info
  }
  for (;;) {
    std::string_view name = c.token();
    if (name.empty()) {
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
    struct Known {
      std::string_view name;
      uint32_t* slot;
      SetupField field;
    };
    const Known known[] = {{"port", &s.port, SetupField::Port},
                           {"protected-port", &s.protectedPort, SetupField::ProtectedPort},
                           {"unprotected-port", &s.unprotectedPort, SetupField::UnprotectedPort}};
    bool matched = false;
    for (const Known& k : known) {
      if (!lex::iequals(name, k.name)) {
        continue;
      }
      matched = true;
      if (*k.slot != 0) {
        err = fail(k.field, "given twice", c);
        return false;
      }
      if (quoted || !parsePortValue(value, *k.slot)) {
        err = fail(k.field, "not a port number 1..65535", c);
        return false;
      }
      break;
    }
    if (!matched) {
      if (name.size() > kMaxTokenLen || value.size() > kMaxValueLen) {
        err = fail(SetupField::Info, "parameter too long", c);
        return false;
      }
      InfoParam p;
      p.name.assignLower(name);
      p.value.assign(value);
      p.quoted = quoted;
      for (const InfoParam& q : s.extraInfo) {
        if (q.name == p.name) {
          err = fail(SetupField::Info, "parameter given twice", c);
          return false;
        }
      }
      if (!s.extraInfo.push(p)) {
        err = fail(SetupField::Info, "too many parameters", c);
        return false;
      }
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
  std::string_view mech = c.token();
  if (mech.empty()) {
    return failed(err, SetupField::IntMech, "missing mechanism", c);
  }
  if (mech.size() > kMaxTokenLen) {
    return failed(err, SetupField::IntMech, "mechanism too long", c);
  }
  s.intMech.assignLower(mech);
  if (!c.separator('/')) {
    return failed(err, SetupField::IntMech, "expected '/' after int-mech", c);
  }
  mech = c.token();
  if (mech.size() > kMaxTokenLen) {
    return failed(err, SetupField::ConfMech, "mechanism too long", c);
  }
  s.confMech.assignLower(mech);
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
