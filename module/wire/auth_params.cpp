#include "module/wire/auth_params.h"

#include <cstring>

#include "module/wire/sip_lex.h"

namespace secsetup {

namespace {

struct Param {
  std::string_view name;
  std::string_view value;
  std::size_t start;  // of the name
  std::size_t end;    // after the value
};

// Walks "scheme name=value, name=value ..." calling f(param); false on a syntax error.
template <class F>
bool walkParams(std::string_view v, F f) {
  lex::Cursor c(v);
  c.skipSws();
  if (c.token().empty()) {
    return false;
  }
  c.skipSws();
  if (c.atEnd()) {
    return true;
  }
  for (;;) {  // at a name: the SWS before it is skipped already
    std::size_t start = c.pos();
    std::string_view name = c.token();
    if (name.empty() || !c.separator('=')) {
      return false;
    }
    std::string_view value;
    if (c.peek() == '"') {
      if (!c.quoted(value)) {
        return false;
      }
    } else {
      value = c.token();
    }
    f(Param{name, value, start, c.pos()});
    c.skipSws();
    if (c.atEnd()) {
      return true;
    }
    if (!c.separator(',')) {
      return false;
    }
  }
}

}  // namespace

AuthorizationFacts parseAuthorization(std::string_view value) noexcept {
  AuthorizationFacts facts;
  try {
    AuthorizationFacts f;
    bool ok = walkParams(value, [&f](const Param& p) {
      if (lex::iequals(p.name, "username")) {
        f.username = p.value;
      } else if (lex::iequals(p.name, "response")) {
        f.hasResponse = true;
        f.emptyResponse = p.value.empty();
      } else if (lex::iequals(p.name, "auts")) {
        f.hasAuts = true;
      }
    });
    if (ok) {
      f.present = true;
      facts = f;
    }
  } catch (...) {
    facts = AuthorizationFacts{};
  }
  return facts;
}

namespace {

template <class Text>
ChallengeKeys extractInto(std::string_view v, AkaKeys& keys, Text& rewritten) noexcept {
  ChallengeKeys r;
  keys.wipe();
  try {
    struct Span {
      std::size_t start, end;
    };
    Span drop[4];
    int nDrop = 0;
    bool ok = walkParams(v, [&](const Param& p) {
      bool isIk = lex::iequals(p.name, "ik");
      bool isCk = lex::iequals(p.name, "ck");
      if (!isIk && !isCk) {
        return;
      }
      if (nDrop < 4) {
        drop[nDrop++] = Span{p.start, p.end};
      }
      if (isIk && !r.hadIk) {
        r.hadIk = true;
        r.ikValid = parseHexKey(p.value, keys.ik);
      } else if (isCk && !r.hadCk) {
        r.hadCk = true;
        r.ckValid = parseHexKey(p.value, keys.ck);
        keys.hasCk = r.ckValid;
      } else {
        r.ikValid = r.ikValid && !isIk;  // a repeated key parameter is not trusted
        r.ckValid = r.ckValid && !isCk;
      }
    });
    r.parsed = ok;
    // Rebuild without the dropped params and the commas that joined them.
    rewritten.clear();
    std::size_t from = 0;
    for (int i = 0; i < nDrop; ++i) {
      std::size_t cut = drop[i].start;
      // swallow the separating comma and whitespace before the param, if any
      std::size_t back = cut;
      while (back > from && (v[back - 1] == ' ' || v[back - 1] == '\t')) {
        --back;
      }
      std::size_t end = drop[i].end;
      if (back > from && v[back - 1] == ',') {
        cut = back - 1;
      } else {
        // first param after the scheme: swallow the following comma instead
        std::size_t fwd = end;
        while (fwd < v.size() && (v[fwd] == ' ' || v[fwd] == '\t')) {
          ++fwd;
        }
        if (fwd < v.size() && v[fwd] == ',') {
          end = fwd + 1;
          while (end < v.size() && (v[end] == ' ' || v[end] == '\t')) {
            ++end;
          }
        }
      }
      rewritten.append(v.data() + from, cut - from);
      from = end;
    }
    rewritten.append(v.data() + from, v.size() - from);
    if (nDrop >= 4) {
      r.parsed = false;  // too many key parameters: refuse rather than leak one
    }
  } catch (...) {
    keys.wipe();
    rewritten.clear();
    return ChallengeKeys{};
  }
  if (!r.ikValid) {
    keys.wipe();
  }
  return r;
}

}  // namespace

std::size_t scrubChallengeKeys(char* v, std::size_t len) noexcept {
  if (v == nullptr || len == 0) {
    return 0;
  }
  std::size_t scrubbed = 0;
  bool ok = false;
  try {
    ok = walkParams(std::string_view(v, len), [&](const Param& p) {
      if (lex::iequals(p.name, "ik") || lex::iequals(p.name, "ck")) {
        // p.value views into v: the characters of the value (inside the quotes, if any).
        char* at = v + (p.value.data() - v);
        std::memset(at, '0', p.value.size());
        scrubbed += p.value.size();
      }
    });
  } catch (...) {
    ok = false;
  }
  if (!ok) {  // where a key might hide cannot be told: nothing of the value stays
    std::memset(v, 'x', len);
    return len;
  }
  return scrubbed;
}

ChallengeKeys extractChallengeKeys(std::string_view v, AkaKeys& keys,
                                   std::string& rewritten) noexcept {
  return extractInto(v, keys, rewritten);
}

ChallengeKeys extractChallengeKeys(std::string_view v, AkaKeys& keys,
                                   ChallengeText& rewritten) noexcept {
  return extractInto(v, keys, rewritten);
}

}  // namespace secsetup
