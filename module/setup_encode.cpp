#include "module/setup_encode.h"

namespace secsetup {

namespace {

void appendNumber(uint32_t v, std::string& out) {
  char buf[10];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) {
    out += buf[--n];
  }
}

void appendList(const FixedList<Token, kMaxAlgs>& list, std::string& out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) {
      out += ',';
    }
    out += list[i].view();
  }
}

void appendParam(const char* name, uint32_t value, bool& first, std::string& out) {
  if (value == 0) {
    return;
  }
  if (!first) {
    out += ';';
  }
  first = false;
  out += name;
  out += '=';
  appendNumber(value, out);
}

}  // namespace

void encodeSecuritySetup(const SecuritySetup& s, std::string& out) {
  out.clear();
  out.reserve(96);
  out += s.intMech.view();
  out += " / ";
  if (!s.confMech.empty()) {
    out += s.confMech.view();
    out += ' ';
  }
  out += "/ ";
  appendList(s.intAlgs, out);
  out += " / ";
  if (!s.confAlgs.empty()) {
    appendList(s.confAlgs, out);
    out += ' ';
  }
  out += "/ ";
  appendNumber(s.saId, out);
  bool hasInfo = s.port != 0 || s.protectedPort != 0 || s.unprotectedPort != 0 ||
                 !s.extraInfo.empty();
  if (!hasInfo) {
    return;
  }
  out += " / ";
  bool first = true;
  appendParam("port", s.port, first, out);
  appendParam("protected-port", s.protectedPort, first, out);
  appendParam("unprotected-port", s.unprotectedPort, first, out);
  for (const InfoParam& p : s.extraInfo) {
    if (!first) {
      out += ';';
    }
    first = false;
    out += p.name.view();
    out += '=';
    if (p.quoted) {
      out += '"';
      out += p.value.view();
      out += '"';
    } else {
      out += p.value.view();
    }
  }
}

std::string encodeSecuritySetup(const SecuritySetup& s) {
  std::string out;
  encodeSecuritySetup(s, out);
  return out;
}

}  // namespace secsetup
