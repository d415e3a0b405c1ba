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

constexpr std::size_t kMaxTokenLen = 64;

SetupError fail(SetupField f, const char* reason, const lex::Cursor& c) noexcept {
  return SetupError{f, reason, c.pos()};
}

// token *(COMMA token), lower-cased into out. Empty list allowed only when optional.
bool parseAlgList(lex::Cursor& c, SetupField field, bool optional,
                  FixedList<std::string, kMaxAlgs>& out, SetupError& err) {
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
    std::string name;
    lex::appendLower(name, t);
    if (out.contains(name)) {
      err = fail(field, "algorithm listed twice", c);
      return false;
    }
    if (!out.push(name)) {
      err = fail(field, "too many algorithms", c);
      return false;
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
      const char* name;
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
    }
    if (!matched) {
      if (name.size() > kMaxTokenLen || value.size() > 256) {
        err = fail(SetupField::Info, "parameter too long", c);
        return false;
      }
      InfoParam p;
      lex::appendLower(p.name, name);
      p.value.assign(value.data(), value.size());
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

ParseResult<SecuritySetup> parseImpl(std::string_view value) {
  lex::Cursor c(value);
  SecuritySetup s;
  SetupError err;
  c.skipSws();
  if (c.atEnd()) {
    return fail(SetupField::Header, "empty value", c);
  }
  std::string_view mech = c.token();
  if (mech.empty()) {
    return fail(SetupField::IntMech, "missing mechanism", c);
  }
  if (mech.size() > kMaxTokenLen) {
    return fail(SetupField::IntMech, "mechanism too long", c);
  }
  lex::appendLower(s.intMech, mech);
  if (!c.separator('/')) {
    return fail(SetupField::IntMech, "expected '/' after int-mech", c);
  }
  mech = c.token();
  if (mech.size() > kMaxTokenLen) {
    return fail(SetupField::ConfMech, "mechanism too long", c);
  }
  lex::appendLower(s.confMech, mech);
  if (!c.separator('/')) {
    return fail(SetupField::ConfMech, "expected '/' after conf-mech", c);
  }
  if (!parseAlgList(c, SetupField::IntAlgs, false, s.intAlgs, err)) {
    return err;
  }
  if (!c.separator('/')) {
    return fail(SetupField::IntAlgs, "expected '/' after int-algs", c);
  }
  if (!parseAlgList(c, SetupField::ConfAlgs, true, s.confAlgs, err)) {
    return err;
  }
  if (s.confMech.empty() != s.confAlgs.empty()) {
    return fail(SetupField::ConfAlgs,
                s.confMech.empty() ? "conf-algs without conf-mech" : "conf-mech without conf-algs",
                c);
  }
  if (!c.separator('/')) {
    return fail(SetupField::ConfAlgs, "expected '/' after conf-algs", c);
  }
  std::string_view digits = c.token();
  uint64_t spi = 0;
  if (digits.empty()) {
    return fail(SetupField::SaId, "missing", c);
  }
  if (!lex::parseDecimal(digits, 10, spi)) {
    return fail(SetupField::SaId, "not 1 to 10 digits", c);
  }
  if (spi > 0xFFFFFFFFull) {
    return fail(SetupField::SaId, "above 4294967295", c);
  }
  s.saId = static_cast<uint32_t>(spi);
  c.skipSws();
  if (c.atEnd()) {
    return s;
  }
  if (!c.separator('/')) {
    return fail(SetupField::SaId, "unexpected text after sa-id", c);
  }
  if (!parseInfo(c, s, err)) {
    return err;
  }
  c.skipSws();
  if (!c.atEnd()) {
    return fail(SetupField::Info, "unexpected text after info", c);
  }
  return s;
}

}  // namespace

ParseResult<SecuritySetup> parseSecuritySetup(std::string_view value) noexcept {
  try {
    return parseImpl(value);
  } catch (...) {
    return SetupError{SetupField::Header, "out of memory", 0};
  }
}

}  // namespace secsetup
